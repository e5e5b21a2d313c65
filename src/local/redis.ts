import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { ensureRedisServer } from "./install"
import { localPorts, portAnswers, stateDir } from "./paths"

function redisDir(): string {
  return join(stateDir(), "redis")
}

function pidFile(): string {
  return join(redisDir(), "redis.pid")
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function runningPid(): number | undefined {
  if (!existsSync(pidFile())) return undefined
  const pid = Number(readFileSync(pidFile(), "utf8").trim())
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined
}

/** True when the pid file names a live process. */
export function redisRunning(): boolean {
  return runningPid() !== undefined
}

export async function startRedis(): Promise<string> {
  if (!redisRunning() && portAnswers(localPorts.redis)) {
    return `redis already answering on 127.0.0.1:${localPorts.redis}, not this checkout's own (docker compose?): using it`
  }
  const server = ensureRedisServer()
  if (redisRunning()) return `redis already running on 127.0.0.1:${localPorts.redis}`
  mkdirSync(redisDir(), { recursive: true })
  // AOF keeps stream entries and offsets across a restart; noeviction makes Redis refuse writes
  // rather than silently drop stream entries when memory runs out (redis.io/docs/reference/eviction).
  const args = [
    "--port", String(localPorts.redis),
    "--bind", "127.0.0.1",
    "--dir", redisDir(),
    "--appendonly", "yes",
    "--appendfsync", "everysec",
    "--save", "",
    "--maxmemory-policy", "noeviction",
    "--daemonize", "yes",
    "--pidfile", pidFile(),
    "--logfile", join(redisDir(), "redis.log"),
  ]
  const r = spawnSync(server, args, { encoding: "utf8" })
  if (r.status !== 0) throw new Error(`redis-server did not start on port ${localPorts.redis}: ${(r.stderr || r.stdout).trim()}`)
  for (let i = 0; i < 100; i++) {
    if (redisRunning() && (await pingable())) return `redis started on 127.0.0.1:${localPorts.redis} (data ${redisDir()})`
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error(`redis-server did not answer on port ${localPorts.redis}: see ${join(redisDir(), "redis.log")}`)
}

async function pingable(): Promise<boolean> {
  const { connect } = await import("node:net")
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: localPorts.redis }, () => socket.write("PING\r\n"))
    socket.once("data", (d) => {
      socket.destroy()
      resolve(d.toString().startsWith("+PONG"))
    })
    socket.once("error", () => resolve(false))
    socket.setTimeout(1000, () => {
      socket.destroy()
      resolve(false)
    })
  })
}

export async function stopRedis(): Promise<string> {
  const pid = runningPid()
  if (pid === undefined) return "redis not running"
  process.kill(pid, "SIGTERM")
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((res) => setTimeout(res, 100))
  return alive(pid) ? "redis did not stop within 10s" : "redis stopped"
}
