import { execFileSync } from "node:child_process"
import { restartPostgres } from "../local/postgres"
import { startRedis, stopRedis } from "../local/redis"
import type { Site } from "../local/site"
import { consumerStages } from "../pipeline/stages"
import { sleep } from "../runtime/sleep"

export type FaultKind = "kill-stage" | "restart-redis" | "restart-postgres"
export const faultKinds: readonly FaultKind[] = ["kill-stage", "restart-redis", "restart-postgres"]

export interface Fault {
  kind: FaultKind
  /** Seconds after the run started. */
  at: number
  /** What was hit: a stage's name, or the server. */
  target: string
}

/** The stage processes migrate `pid` runs, by stage name (from their command lines). */
function stagesOf(pid: number): { pid: number; stage: string }[] {
  let children: number[]
  try {
    children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number)
  } catch {
    return []
  }
  return children.flatMap((child) => {
    try {
      const cmd = execFileSync("ps", ["-o", "args=", "-p", String(child)], { encoding: "utf8" })
      const stage = /stages\/([a-z-]+)\.[jt]s\b/.exec(cmd)?.[1]
      return stage ? [{ pid: child, stage }] : []
    } catch {
      return []
    }
  })
}

/** Injects one fault into the run supervised by migrate `pid`; returns what it hit. */
export async function inject(kind: FaultKind, site: Site, migratePid: number, random: () => number): Promise<string> {
  switch (kind) {
    case "kill-stage": {
      const running = stagesOf(migratePid).filter((s) => (consumerStages as readonly string[]).includes(s.stage) || s.stage === "extract")
      const victim = running[Math.floor(random() * running.length)]
      if (!victim) return "no stage running"
      process.kill(victim.pid, "SIGKILL")
      return victim.stage
    }
    case "restart-redis": {
      await stopRedis(site)
      await sleep(1_000 + random() * 2_000)
      await startRedis(site)
      return "redis"
    }
    case "restart-postgres":
      restartPostgres(site)
      return "postgres"
  }
}
