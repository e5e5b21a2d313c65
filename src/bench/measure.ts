import { execFileSync, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Redis } from "ioredis"
import pg from "pg"
import { projectRoot } from "../local/paths"
import { sleep } from "../runtime/sleep"
import { streamKeys } from "../streams/keys"

const bun = join(projectRoot, "node_modules", ".bin", "bun")

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number | string): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const rss = (pid: number | string) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024

export interface Measured {
  seconds: number
  /**
   * Peak RSS by process kind (migrate, each stage) and Redis's peak used_memory above what it
   * held when the run started, bytes: other data in the same Redis (another prefix, an earlier
   * experiment) is not the run's.
   */
  peaks: Record<string, number>
  /**
   * Bytes the dead-letter stream grew by during the run. It is the run's output, kept for the
   * user to read and retry, so it grows with the catalog's bad rows while the working state stays flat.
   */
  deadLetterBytes: number
  /** CPU seconds by process kind: migrate, stages, the PostgreSQL backends serving each, Redis and its AOF rewrites. */
  cpu: Record<string, number>
  stdout: string
  /** From the summary of an incremental run: groups and products it re-migrated. */
  planned: { groups: number; products: number; historyRows: number } | null
}

/**
 * Runs `migrate` while sampling, every half second, the peak RSS of each stage process (by
 * stage) and Redis's memory, and the CPU time of each stage process, of the PostgreSQL backends
 * serving each stage (by application_name) and of Redis: where the machine's cores went.
 */
export async function measureMigrate(env: NodeJS.ProcessEnv, args: string[], adminUrl: string, redisUrl: string): Promise<Measured> {
  const redis = new Redis(redisUrl)
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  const peaks: Record<string, number> = {}
  const cpu = new Map<string, { label: string; seconds: number }>()
  // Redis's forked children (AOF rewrites) are reported apart: they run on the same cores.
  const redisCpu = async () => {
    const info = await redis.info("cpu")
    const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0)
    return { main: field("used_cpu_sys") + field("used_cpu_user"), children: field("used_cpu_sys_children") + field("used_cpu_user_children") }
  }
  const redisCpuStart = await redisCpu()
  const redisMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0)
  const redisMemoryStart = await redisMemory()
  const dlq = streamKeys(env["STREAM_PREFIX"] || "migration").dlq
  // SAMPLES 0: every entry counted, not an estimate from the first five.
  const dlqBytes = async () => Number((await redis.call("MEMORY", "USAGE", dlq, "SAMPLES", "0")) ?? 0)
  const dlqStart = await dlqBytes()
  const start = performance.now()
  const child = spawn(bun, [join(projectRoot, "stages/migrate.ts"), ...args], { env, cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] })
  let stdout = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
  let running = true
  void exited.then(() => (running = false))
  while (running) {
    try {
      peaks["migrate"] = Math.max(peaks["migrate"] ?? 0, rss(child.pid!))
      cpu.set(`p${child.pid}`, { label: "migrate", seconds: cpuSeconds(child.pid!) })
      const kids = execFileSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).split("\n").filter(Boolean)
      for (const pid of kids) {
        // An exited, not yet reaped process has no command line and no memory any more: keep its
        // first label for its CPU time, and leave its peak alone.
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8")
        const stage = /stages\/([a-z-]+)\.[jt]s\b/.exec(cmd)?.[1] ?? "other"
        if (cmd) peaks[stage] = Math.max(peaks[stage] ?? 0, rss(pid))
        cpu.set(`p${pid}`, { label: cpu.get(`p${pid}`)?.label ?? stage, seconds: cpuSeconds(pid) })
      }
      const backends = await admin.query<{ pid: number; app: string }>(
        "SELECT pid, application_name AS app FROM pg_stat_activity WHERE backend_type IN ('client backend', 'parallel worker') AND pid <> pg_backend_pid()",
      )
      for (const b of backends.rows) {
        const label = `postgres for ${b.app.split(":")[0] || "other"}`
        cpu.set(`b${b.pid}`, { label: cpu.get(`b${b.pid}`)?.label ?? label, seconds: cpuSeconds(b.pid) })
      }
    } catch {
      // A process ended between listing and reading: next sample.
    }
    peaks["redis"] = Math.max(peaks["redis"] ?? 0, (await redisMemory()) - redisMemoryStart)
    await sleep(500)
  }
  const code = await exited
  const seconds = (performance.now() - start) / 1000
  const redisEnd = await redisCpu()
  const deadLetterBytes = (await dlqBytes()) - dlqStart
  const byLabel: Record<string, number> = {
    redis: redisEnd.main - redisCpuStart.main,
    "redis AOF rewrites": redisEnd.children - redisCpuStart.children,
  }
  for (const { label, seconds: s } of cpu.values()) byLabel[label] = (byLabel[label] ?? 0) + s
  await admin.end()
  redis.disconnect()
  if (code !== 0) throw new Error(`migrate failed with exit ${code}: ${stdout.split("\n").filter((l) => !l.startsWith("{")).join(" ")}`)
  const plan = /changes\s+([\d,]+) groups \(([\d,]+) products\)/.exec(stdout)
  const histories = /histories\s+read ([\d,]+)/.exec(stdout)
  const num = (s: string) => Number(s.replace(/,/g, ""))
  const planned = plan ? { groups: num(plan[1]!), products: num(plan[2]!), historyRows: histories ? num(histories[1]!) : 0 } : null
  return { seconds, peaks, deadLetterBytes, cpu: byLabel, stdout, planned }
}
