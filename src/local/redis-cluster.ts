import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { processAlive } from "../runtime/pids"
import { sleep } from "../runtime/sleep"
import { ensureRedisServer } from "./install"
import { AOF_ARGS } from "./redis"
import type { Site } from "./site"

/** A local Redis Cluster of three primaries on loopback, no replicas: the smallest valid cluster. */
export const CLUSTER_SIZE = 3

/** The cluster's ports: the three after the site's Redis port's neighbour (63801–63803 for the default site). */
export const clusterPorts = (site: Site): number[] => Array.from({ length: CLUSTER_SIZE }, (_, i) => site.redisPort + 2 + i)

const nodeDir = (site: Site, port: number) => join(site.dir, "redis-cluster", String(port))
const pidFile = (site: Site, port: number) => join(nodeDir(site, port), "redis.pid")

function nodePid(site: Site, port: number): number | undefined {
  if (!existsSync(pidFile(site, port))) return undefined
  const pid = Number(readFileSync(pidFile(site, port), "utf8").trim())
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : undefined
}

function cli(port: number, ...args: string[]): string {
  const r = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { encoding: "utf8" })
  return `${r.stdout ?? ""}${r.stderr ?? ""}`
}

const clusterOk = (port: number) => /cluster_state:ok/.test(cli(port, "CLUSTER", "INFO"))

/**
 * Starts the three nodes (AOF, noeviction, as the single Redis) and, the first time, joins
 * them with `redis-cli --cluster create`; a restart reuses each node's nodes.conf.
 */
export async function startRedisCluster(site: Site): Promise<string> {
  const server = ensureRedisServer()
  const ports = clusterPorts(site)
  for (const port of ports) {
    if (nodePid(site, port) !== undefined) continue
    mkdirSync(nodeDir(site, port), { recursive: true })
    const r = spawnSync(server, [
      "--port", String(port), "--bind", "127.0.0.1", "--dir", nodeDir(site, port),
      // The bus port defaults to port + 10000, past 65535 for the default site's ports.
      "--cluster-enabled", "yes", "--cluster-port", String(port - 20_000), "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000",
      "--appendonly", "yes", ...AOF_ARGS, "--save", "", "--maxmemory-policy", "noeviction",
      "--daemonize", "yes", "--pidfile", pidFile(site, port), "--logfile", join(nodeDir(site, port), "redis.log"),
    ], { encoding: "utf8" })
    if (r.status !== 0) throw new Error(`redis-server did not start on port ${port}: ${(r.stderr || r.stdout).trim()}`)
  }
  for (const port of ports) {
    for (let i = 0; i < 150 && !/PONG/.test(cli(port, "PING")); i++) await sleep(100)
    if (!/PONG/.test(cli(port, "PING"))) {
      const log = join(nodeDir(site, port), "redis.log")
      const last = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").at(-1) : "no log"
      throw new Error(`the Redis Cluster node on port ${port} did not answer: ${last}`)
    }
  }
  if (!clusterOk(ports[0]!)) {
    const known = Number(/cluster_known_nodes:(\d+)/.exec(cli(ports[0]!, "CLUSTER", "INFO"))?.[1] ?? 1)
    if (known < CLUSTER_SIZE) {
      const out = cli(ports[0]!, "--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes")
      if (!/All 16384 slots covered/.test(out)) throw new Error(`redis-cli --cluster create failed: ${out.trim().split("\n").at(-1)}`)
    }
  }
  for (let i = 0; i < 200 && !ports.every(clusterOk); i++) await sleep(100)
  if (!ports.every(clusterOk)) throw new Error(`the Redis Cluster on ports ${ports.join(", ")} did not reach cluster_state:ok: see ${join(site.dir, "redis-cluster")}`)
  return `redis cluster started on 127.0.0.1:${ports.join(",")} (REDIS_URL=redis://127.0.0.1:${ports[0]}/0 reaches it)`
}

export async function stopRedisCluster(site: Site, opts: { wipe?: boolean } = {}): Promise<string> {
  const pids = clusterPorts(site).map((p) => nodePid(site, p)).filter((p): p is number => p !== undefined)
  for (const pid of pids) process.kill(pid, "SIGTERM")
  for (let i = 0; i < 100 && pids.some(processAlive); i++) await sleep(100)
  if (opts.wipe) rmSync(join(site.dir, "redis-cluster"), { recursive: true, force: true })
  return pids.length === 0 ? "redis cluster not running" : pids.some(processAlive) ? "redis cluster did not stop within 10s" : "redis cluster stopped"
}

/** The port of the primary serving `key`'s slot. */
export function slotOwner(site: Site, key: string): number {
  const port = clusterPorts(site)[0]!
  const slot = Number(cli(port, "CLUSTER", "KEYSLOT", key).trim())
  for (const line of cli(port, "CLUSTER", "NODES").split("\n")) {
    const [, address = "", flags = "", , , , , , ...ranges] = line.split(" ")
    if (!flags.includes("master")) continue
    for (const r of ranges) {
      const [lo, hi = lo] = r.split("-").map(Number)
      if (slot >= lo! && slot <= hi!) return Number(address.split(":")[1]!.split("@")[0])
    }
  }
  throw new Error(`no primary serves slot ${slot}`)
}

/** Stops one node (SIGTERM: it writes its AOF); startRedisCluster brings it back. */
export async function stopClusterNode(site: Site, port: number): Promise<void> {
  const pid = nodePid(site, port)
  if (pid === undefined) return
  process.kill(pid, "SIGTERM")
  for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(100)
}

export const redisClusterRunning = (site: Site): boolean => clusterPorts(site).every((p) => nodePid(site, p) !== undefined)
