import { execFileSync, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * The checkout: the nearest directory above this module holding package.json, whether this
 * module runs from src/local or bundled under node_modules/.cache (src/supervisor/bundles.ts).
 */
export const projectRoot = ((from: string) => {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, "package.json"))) return dir
  return resolve(from, "../..")
})(dirname(fileURLToPath(import.meta.url)))

/** The local, embedded services: one PostgreSQL cluster and one Redis for this checkout. */

export const localPorts = {
  postgres: Number(process.env["LOCAL_PG_PORT"] ?? 54329),
  redis: Number(process.env["LOCAL_REDIS_PORT"] ?? 63799),
}

/** LOCAL_PG_HUGE_PAGES=0: never reserve huge pages for the local cluster (src/local/huge-pages.ts). */
export const hugePagesWanted = process.env["LOCAL_PG_HUGE_PAGES"] !== "0"

/** Credentials shared with docker-compose.yml; loopback only, trust auth, so no password exists. */
export const localUser = "migrator"

export const localUrls = {
  legacy: `postgres://${localUser}@127.0.0.1:${localPorts.postgres}/legacy_demo`,
  v3: `postgres://${localUser}@127.0.0.1:${localPorts.postgres}/v3_demo`,
  admin: `postgres://${localUser}@127.0.0.1:${localPorts.postgres}/postgres`,
  redis: `redis://127.0.0.1:${localPorts.redis}/0`,
}

export const isRoot = typeof process.getuid === "function" && process.getuid() === 0

function traversableByPostgres(dir: string): boolean {
  try {
    execFileSync("runuser", ["-u", "postgres", "--", "test", "-x", dir], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/**
 * Where the services keep their data. As root, PostgreSQL runs as the `postgres` user, which must
 * be able to reach the data directory; a checkout under a private home falls back to /var/tmp.
 */
export function stateDir(): string {
  const wanted = process.env["LOCAL_SERVICES_DIR"] ?? join(projectRoot, ".local")
  if (!isRoot) return wanted
  mkdirSync(wanted, { recursive: true, mode: 0o755 })
  if (traversableByPostgres(wanted)) return wanted
  const hash = createHash("sha1").update(projectRoot).digest("hex").slice(0, 10)
  const fallback = `/var/tmp/legacy-v3-migrator-${hash}`
  if (!existsSync(fallback)) mkdirSync(fallback, { recursive: true, mode: 0o755 })
  return fallback
}

/**
 * Whether something accepts TCP connections on a loopback port. Synchronous (a child bash
 * opening /dev/tcp) because the service scripts are. Lets the services of docker-compose.yml,
 * already listening on the same ports, stand in for this checkout's own.
 */
export function portAnswers(port: number): boolean {
  return spawnSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: "ignore", timeout: 3_000 }).status === 0
}

/**
 * Two consecutive loopback ports nothing listens on, below Linux's ephemeral range (32768–60999):
 * a port in it may be bound by some client connection, which refuses the server's bind though
 * nothing answers there (seen in CI, for PostgreSQL and for Redis alike: "Address already in use").
 */
export function freePorts(): [number, number] {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000)
    if (!portAnswers(base) && !portAnswers(base + 1)) return [base, base + 1]
  }
}
