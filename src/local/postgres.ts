import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { hugePagesSizer, releaseHugePages, reserveHugePages } from "./huge-pages"
import { ensurePostgresBin } from "./install"
import { isRoot, localUser, portAnswers } from "./paths"
import { defaultSite, type Site } from "./site"

/**
 * Settings for a disposable local cluster: durability is traded for speed (fsync off), which is
 * fine for demo and test data and never for a real v3 database. A "stock" site keeps
 * PostgreSQL's defaults (shared_buffers 128MB, fsync on, default checkpoints): what users run.
 */
const clusterSettings = (site: Site) => `
listen_addresses = '127.0.0.1'
port = ${site.pgPort}
unix_socket_directories = ''
${site.pg === "stock" ? quietLogs : tunedSettings + hugePagesSetting(site) + quietLogs}`

/**
 * The checkout's own cluster takes the huge pages reserved for it; a private one (a test's) never
 * does, so that it cannot take them while the other restarts. A stock site keeps the default (try).
 */
const hugePagesSetting = (site: Site) => `huge_pages = ${site.hugePages ? "try" : "off"}\n`

const quietLogs = `log_min_messages = warning
log_min_error_statement = panic
`

/**
 * The tuned cluster's server processes keep freed memory instead of handing each large block back
 * to the kernel at once (glibc's defaults: mmap for blocks over 128 kB, trim the heap above
 * 128 kB free). The pipeline's statements build and parse multi-megabyte values; on the virtual
 * machines we run on a first touch of a fresh page costs about 12 µs, and at 100k products the
 * backends serving the pipeline spent 90 CPU-seconds with the defaults, 64 with these. The
 * environment is read once, by the postmaster, so it is set where the cluster starts.
 */
export const tunedAllocator = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824"

const tunedSettings = `# server processes start with GLIBC_TUNABLES=${tunedAllocator} (src/local/postgres.ts)
max_connections = 300
shared_buffers = 4GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 8GB
checkpoint_timeout = 30min
wal_level = minimal
max_wal_senders = 0
fsync = off
synchronous_commit = off
full_page_writes = off
shared_preload_libraries = 'pg_stat_statements'
`

function asPostgres(bin: string, args: string[]): string[] {
  return isRoot ? ["runuser", "-u", "postgres", "--", bin, ...args] : [bin, ...args]
}

function run(cmd: string[], opts: { quiet?: boolean; env?: NodeJS.ProcessEnv } = {}): { ok: boolean; output: string } {
  const [file, ...args] = cmd
  const r = spawnSync(file!, args, { encoding: "utf8", stdio: opts.quiet ? "pipe" : ["ignore", "pipe", "pipe"], env: opts.env ?? process.env })
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() }
}

export function postgresDataDir(site: Site = defaultSite()): string {
  return join(site.dir, "pg")
}

export function postgresRunning(site: Site = defaultSite()): boolean {
  const bin = ensurePostgresBin()
  const r = run(asPostgres(`${bin}/pg_isready`, ["-h", "127.0.0.1", "-p", String(site.pgPort)]), { quiet: true })
  return r.ok
}

export function startPostgres(site: Site = defaultSite()): string {
  const dir = postgresDataDir(site)
  if (!existsSync(join(dir, "PG_VERSION")) && portAnswers(site.pgPort)) {
    return `postgres already answering on 127.0.0.1:${site.pgPort}, not this checkout's own (docker compose?): using it`
  }
  const bin = ensurePostgresBin()
  const logFile = join(site.dir, "postgres.log")
  if (!existsSync(join(dir, "PG_VERSION"))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    if (isRoot) chownPostgres(dir)
    const init = run(asPostgres(`${bin}/initdb`, ["-D", dir, "-U", localUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--lc-collate=C"]))
    if (!init.ok) throw new Error(`initdb failed for ${dir}: ${lastLine(init.output)}`)
  }
  // The settings follow this file: a checkout that changed them restarts its cluster once.
  const settingsFile = join(dir, "postgresql.auto.conf")
  const wanted = clusterSettings(site)
  const changed = !existsSync(settingsFile) || readFileSync(settingsFile, "utf8") !== wanted
  if (changed) {
    writeFileSync(settingsFile, wanted)
    if (isRoot) chownPostgres(settingsFile)
  }
  let started = "started"
  if (postgresRunning(site)) {
    if (!changed) return `postgres already running on 127.0.0.1:${site.pgPort}`
    // Stopped and started rather than restarted: huge pages are sized and reserved while it is down.
    stopPostgres(site)
    started = "restarted with new settings"
  }
  if (isRoot && !existsSync(logFile)) {
    writeFileSync(logFile, "")
    chownPostgres(logFile)
  }
  const reserved = site.hugePages
    ? reserveHugePages(site.dir, hugePagesSizer(asPostgres(`${bin}/postgres`, ["-D", dir, "-C", "shared_memory_size_in_huge_pages"])))
    : null
  const start = run(asPostgres(`${bin}/pg_ctl`, ["-D", dir, "-l", logFile, "-w", "-t", "60", "start"]), { env: serverEnv(site) })
  if (!start.ok) {
    releaseHugePages(site.dir)
    throw new Error(`PostgreSQL did not start on port ${site.pgPort} (see ${logFile}): ${lastLine(start.output)}`)
  }
  return `postgres ${started} on 127.0.0.1:${site.pgPort} (data ${dir})${reserved === null ? "" : `\n${reserved}`}`
}

/** The environment the cluster's server starts with. */
const serverEnv = (site: Site): NodeJS.ProcessEnv => (site.pg === "stock" ? process.env : { ...process.env, GLIBC_TUNABLES: tunedAllocator })

/** A fast restart (pg_ctl restart -m fast): every connection is cut, as when a server restarts under a running job. */
export function restartPostgres(site: Site = defaultSite()): void {
  const bin = ensurePostgresBin()
  const logFile = join(site.dir, "postgres.log")
  const restart = run(asPostgres(`${bin}/pg_ctl`, ["-D", postgresDataDir(site), "-m", "fast", "-w", "-t", "60", "restart", "-l", logFile]), { env: serverEnv(site) })
  if (!restart.ok) throw new Error(`PostgreSQL did not restart (see ${logFile}): ${lastLine(restart.output)}`)
}

export function stopPostgres(site: Site = defaultSite()): string {
  const bin = ensurePostgresBin()
  const dir = postgresDataDir(site)
  if (!existsSync(join(dir, "postmaster.pid"))) {
    // A server that died keeps no pages: give back what was reserved for it all the same.
    releaseHugePages(site.dir)
    return "postgres not running"
  }
  const r = run(asPostgres(`${bin}/pg_ctl`, ["-D", dir, "-m", "fast", "-w", "stop"]))
  if (!r.ok) return `postgres stop failed: ${lastLine(r.output)}`
  releaseHugePages(site.dir)
  return "postgres stopped"
}

function chownPostgres(path: string): void {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
  chownSync(path, uid, gid)
}

function lastLine(s: string): string {
  return s.split("\n").filter(Boolean).at(-1) ?? "no output"
}
