import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ensurePostgresBin } from "./install"
import { isRoot, localPorts, localUser, portAnswers, stateDir } from "./paths"

/**
 * Settings for a disposable local cluster: durability is traded for speed (fsync off), which is
 * fine for demo and test data and never for a real v3 database.
 */
const clusterSettings = `
listen_addresses = '127.0.0.1'
port = ${localPorts.postgres}
unix_socket_directories = ''
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
log_min_messages = warning
log_min_error_statement = panic
`

function asPostgres(bin: string, args: string[]): string[] {
  return isRoot ? ["runuser", "-u", "postgres", "--", bin, ...args] : [bin, ...args]
}

function run(cmd: string[], opts: { quiet?: boolean } = {}): { ok: boolean; output: string } {
  const [file, ...args] = cmd
  const r = spawnSync(file!, args, { encoding: "utf8", stdio: opts.quiet ? "pipe" : ["ignore", "pipe", "pipe"] })
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() }
}

export function postgresDataDir(): string {
  return join(stateDir(), "pg")
}

export function postgresRunning(): boolean {
  const bin = ensurePostgresBin()
  const r = run(asPostgres(`${bin}/pg_isready`, ["-h", "127.0.0.1", "-p", String(localPorts.postgres)]), { quiet: true })
  return r.ok
}

export function startPostgres(): string {
  const dir = postgresDataDir()
  if (!existsSync(join(dir, "PG_VERSION")) && portAnswers(localPorts.postgres)) {
    return `postgres already answering on 127.0.0.1:${localPorts.postgres}, not this checkout's own (docker compose?): using it`
  }
  const bin = ensurePostgresBin()
  const logFile = join(stateDir(), "postgres.log")
  if (!existsSync(join(dir, "PG_VERSION"))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    if (isRoot) chownPostgres(dir)
    const init = run(asPostgres(`${bin}/initdb`, ["-D", dir, "-U", localUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--lc-collate=C"]))
    if (!init.ok) throw new Error(`initdb failed for ${dir}: ${lastLine(init.output)}`)
  }
  // The settings follow this file: a checkout that changed them restarts its cluster once.
  const settingsFile = join(dir, "postgresql.auto.conf")
  const changed = !existsSync(settingsFile) || readFileSync(settingsFile, "utf8") !== clusterSettings
  if (changed) {
    writeFileSync(settingsFile, clusterSettings)
    if (isRoot) chownPostgres(settingsFile)
  }
  if (postgresRunning()) {
    if (!changed) return `postgres already running on 127.0.0.1:${localPorts.postgres}`
    const restart = run(asPostgres(`${bin}/pg_ctl`, ["-D", dir, "-m", "fast", "-w", "-t", "60", "restart", "-l", logFile]))
    if (!restart.ok) throw new Error(`PostgreSQL did not restart with the new settings (see ${logFile}): ${lastLine(restart.output)}`)
    return `postgres restarted with new settings on 127.0.0.1:${localPorts.postgres}`
  }
  if (isRoot && !existsSync(logFile)) {
    writeFileSync(logFile, "")
    chownPostgres(logFile)
  }
  const start = run(asPostgres(`${bin}/pg_ctl`, ["-D", dir, "-l", logFile, "-w", "-t", "60", "start"]))
  if (!start.ok) {
    throw new Error(`PostgreSQL did not start on port ${localPorts.postgres} (see ${logFile}): ${lastLine(start.output)}`)
  }
  return `postgres started on 127.0.0.1:${localPorts.postgres} (data ${dir})`
}

export function stopPostgres(): string {
  const bin = ensurePostgresBin()
  const dir = postgresDataDir()
  if (!existsSync(join(dir, "postmaster.pid"))) return "postgres not running"
  const r = run(asPostgres(`${bin}/pg_ctl`, ["-D", dir, "-m", "fast", "-w", "stop"]))
  return r.ok ? "postgres stopped" : `postgres stop failed: ${lastLine(r.output)}`
}

function chownPostgres(path: string): void {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
  chownSync(path, uid, gid)
}

function lastLine(s: string): string {
  return s.split("\n").filter(Boolean).at(-1) ?? "no output"
}
