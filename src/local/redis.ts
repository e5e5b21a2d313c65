import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { processAlive } from "../runtime/pids"
import { sleep } from "../runtime/sleep"
import { ensureRedisServer } from "./install"
import { portAnswers } from "./paths"
import { defaultSite, type Site } from "./site"

const redisDir = (site: Site) => join(site.dir, "redis")
const pidFile = (site: Site) => join(redisDir(site), "redis.pid")

function runningPid(site: Site): number | undefined {
  if (!existsSync(pidFile(site))) return undefined
  const pid = Number(readFileSync(pidFile(site), "utf8").trim())
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined
}

/** True when the pid file names a live process. */
export function redisRunning(site: Site = defaultSite()): boolean {
  return runningPid(site) !== undefined
}

/**
 * How this checkout's Redis keeps its AOF (see startRedis); also the cluster nodes'. Rewritten
 * once it passes 1 GB, not Redis's default 64 MB (docs/DECISIONS.md 29). Snapshots uncompressed
 * (the RDB preamble of each rewrite): the dataset is mostly dead letters whose rows travel
 * deflated already, which LZF cannot shrink (56.09 MB against 56.11 MB after a 400k run) but
 * took 3.5 times the rewrite's CPU to try (0.43–0.49 s against 0.12–0.13 s; DECISIONS 55).
 */
export const AOF_ARGS = ["--appendfsync", "everysec", "--auto-aof-rewrite-min-size", "1gb", "--rdbcompression", "no"] as const

export interface RedisOptions {
  /** Keep the data across a restart in an append-only file (default); false: a restart starts empty. */
  appendOnly?: boolean
  /** requirepass: clients must authenticate. */
  password?: string
  /** Serve TLS only, with this certificate and key (PEM files). */
  tls?: { cert: string; key: string }
}

export async function startRedis(site: Site = defaultSite(), opts: RedisOptions = {}): Promise<string> {
  if (!redisRunning(site) && portAnswers(site.redisPort)) {
    return `redis already answering on 127.0.0.1:${site.redisPort}, not this checkout's own (docker compose?): using it`
  }
  const server = ensureRedisServer()
  if (redisRunning(site)) return `redis already running on 127.0.0.1:${site.redisPort}`
  mkdirSync(redisDir(site), { recursive: true })
  // AOF keeps stream entries and offsets across a restart; noeviction makes Redis refuse writes
  // rather than silently drop stream entries when memory runs out (redis.io/docs/reference/eviction).
  // How the AOF is rewritten: AOF_ARGS.
  const log = join(redisDir(site), "redis.log")
  const port = opts.tls
    ? ["--port", "0", "--tls-port", String(site.redisPort), "--tls-cert-file", opts.tls.cert, "--tls-key-file", opts.tls.key, "--tls-auth-clients", "no"]
    : ["--port", String(site.redisPort)]
  const args = [
    ...port,
    ...(opts.password ? ["--requirepass", opts.password] : []),
    "--bind", "127.0.0.1",
    "--dir", redisDir(site),
    "--appendonly", opts.appendOnly === false ? "no" : "yes",
    ...AOF_ARGS,
    "--save", "",
    "--maxmemory-policy", "noeviction",
    "--daemonize", "yes",
    "--pidfile", pidFile(site),
    "--logfile", log,
  ]
  // Only this start's lines: the log is appended across restarts.
  const logFrom = existsSync(log) ? statSync(log).size : 0
  const r = spawnSync(server, args, { encoding: "utf8" })
  if (r.status !== 0) throw new Error(`redis-server did not start on port ${site.redisPort}: ${(r.stderr || r.stdout).trim()}`)
  for (let i = 0; i < 100; i++) {
    // A server that cannot bind exits at once: say why rather than wait out the 10 s.
    const refused = existsSync(log) ? /^.*(Could not create server TCP listening socket|Failed listening on port).*$/m.exec(readFileSync(log).subarray(logFrom).toString()) : null
    if (refused && !redisRunning(site)) throw new Error(`redis-server could not listen on port ${site.redisPort}: ${refused[0].replace(/^[\d:]+ ?[A-Z] [^*#]*[*#] /, "")} (choose another port)`)
    // A TLS or password-protected server answers PING with an error or a handshake: a running process is enough.
    if (redisRunning(site) && (opts.tls || opts.password ? portAnswers(site.redisPort) : await pingable(site.redisPort))) return `redis started on 127.0.0.1:${site.redisPort} (data ${redisDir(site)})`
    await sleep(100)
  }
  throw new Error(`redis-server did not answer on port ${site.redisPort}: see ${log}`)
}

async function pingable(port: number): Promise<boolean> {
  const { connect } = await import("node:net")
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write("PING\r\n"))
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

/**
 * Stops the site's Redis with SIGTERM (it writes its append-only file first). SIGKILL is for
 * throwaway sites only: Redis refuses SIGTERM while it writes an initial AOF ("Writing initial
 * AOF, can't exit"), e.g. right after CONFIG SET appendonly yes, and would outlive its test.
 */
export async function stopRedis(site: Site = defaultSite(), signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<string> {
  const pid = runningPid(site)
  if (pid === undefined) return "redis not running"
  process.kill(pid, signal)
  for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(100)
  return processAlive(pid) ? "redis did not stop within 10s" : "redis stopped"
}
