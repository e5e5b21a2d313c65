import { execFileSync } from "node:child_process"

/** The direct children of a process (the stages migrate supervises). */
export const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** A child can exit between pgrep and ps (extract ends on its own): that one has no command. */
export const commandOf = (pid: number) => {
  try {
    return execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim()
  } catch {
    return ""
  }
}

/**
 * kill -9 every listed process in order (list children before their parent). A process may be gone
 * by the time its turn comes (extract ends on its own; a zombie is reaped by init once its parent
 * dies), and that is not a failure of the test: CI once failed on `kill ESRCH` exactly so.
 */
export const killNow = (pids: readonly number[]) => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL")
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e
    }
  }
}
