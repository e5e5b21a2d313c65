import { existsSync, readFileSync } from "node:fs"

/**
 * Whether a process with this pid runs on this host (one we may not signal still runs). A
 * zombie does not run: where nothing reaps orphans (a container whose PID 1 is no init), a
 * killed process stays listed as a zombie, and signal 0 would still reach it.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (err) {
    if ((err as { code?: string }).code !== "EPERM") return false
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the command may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3)
    return state !== "Z" && state !== "X"
  } catch {
    // No /proc at all (not Linux): the signal answered. With /proc, the process just went.
    return !existsSync("/proc/self")
  }
}
