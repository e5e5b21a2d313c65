import { spawn } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { projectRoot } from "../../src/local/paths"
import { localUrls } from "../../src/local/paths"

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The Bun binary from devDependencies: end-to-end tests run the stage processes under Bun. */
export const bunBin = join(projectRoot, "node_modules", ".bin", "bun")

export interface Env {
  legacyDb?: string
  v3Db?: string
  prefix?: string
  extra?: Record<string, string>
}

/** The environment of a stage process pointed at a test's own databases and key prefix. */
export function stageEnv(e: Env): NodeJS.ProcessEnv {
  const base = localUrls.admin.replace(/\/postgres$/, "")
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: "json", LOG_LEVEL: "info", REDIS_URL: localUrls.redis }
  for (const k of ["OLD_DATABASE_URL", "PRODUCTS_DATABASE_URL", "STREAM_PREFIX", "WORKER_ID", "TEST_MODE", "MIGRATOR_FAULT"]) delete env[k]
  if (e.legacyDb) env["OLD_DATABASE_URL"] = `${base}/${e.legacyDb}`
  if (e.v3Db) env["PRODUCTS_DATABASE_URL"] = `${base}/${e.v3Db}`
  if (e.prefix) env["STREAM_PREFIX"] = e.prefix
  return { ...env, ...e.extra }
}

/** Starts `bun <file> args` (file relative to the project) and collects its output. */
/** Processes run under Bun, as documented; "node" runs them with Node and tsx, the fallback. */
export type Runtime = "bun" | "node"

export function startCli(file: string, args: string[], env: NodeJS.ProcessEnv, runtime: Runtime = "bun") {
  const [command, pre] = runtime === "bun" ? [bunBin, []] : [process.execPath, ["--import", "tsx"]]
  const child = spawn(command, [...pre, join(projectRoot, file), ...args], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<CliResult>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, done }
}

export function runCli(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000, runtime: Runtime = "bun"): Promise<CliResult> {
  const { child, done } = startCli(file, args, env, runtime)
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  return done.finally(() => clearTimeout(timer))
}

/**
 * Waits for a started process to exit, at most `ms`. One that does not is killed, and the test
 * fails with the last lines of its output and of every stage log under `logDir`: a hang in CI
 * must say where each process stood, not only that the test timed out.
 */
export async function exitsWithin(run: ReturnType<typeof startCli>, ms: number, logDir?: string): Promise<CliResult> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))
  const r = await Promise.race([run.done, late]).finally(() => clearTimeout(timer))
  if (r) return r
  const tails = logDir ? stageLogTails(logDir) : ""
  run.child.kill("SIGKILL")
  const out = await run.done
  throw new Error(`still running after ${ms / 1000} s; its output ended with:\n${tail(out.stdout + out.stderr, 15)}\n${tails}`)
}

function tail(text: string, lines: number): string {
  return text.split("\n").filter(Boolean).slice(-lines).map((l) => l.slice(0, 400)).join("\n")
}

function stageLogTails(dir: string): string {
  if (!existsSync(dir)) return `(no stage logs under ${dir})`
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".log"))
  return files.map((f) => `--- ${f}\n${tail(readFileSync(join(dir, f), "utf8"), 8)}`).join("\n")
}
