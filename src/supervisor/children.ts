import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { projectRoot } from "../local/paths"
import type { Logger } from "../log/logger"
import { type Stage, stageNames } from "../pipeline/stages"
import { allocatorEnv } from "../runtime/allocator"
import { stageBundles } from "./bundles"

declare const Bun: unknown

export type StageLauncher = (stage: string) => { command: string; args: string[] }

/** The command that runs a stage's source with the runtime this process runs on: bun, or node with tsx. */
export function stageCommand(stage: string): { command: string; args: string[] } {
  const file = join(projectRoot, "stages", `${stage}.ts`)
  return typeof Bun !== "undefined"
    ? { command: process.execPath, args: [file] }
    : { command: process.execPath, args: ["--import", "tsx", file] }
}

/**
 * How migrate starts its stages: on Bun, bundled (src/supervisor/bundles.ts); from source when
 * it runs on Node, or when bundling failed, which `log` is told in one line.
 */
export function stageLauncher(log: Logger): StageLauncher {
  if (typeof Bun === "undefined") return stageCommand
  let bundles: ReturnType<typeof stageBundles>
  try {
    bundles = stageBundles(process.execPath, process.versions["bun"] ?? "", stageNames)
  } catch (err) {
    // A read-only node_modules, a full disk: the stages still start, from source.
    bundles = { error: err instanceof Error ? err.message : String(err) }
  }
  if ("error" in bundles) {
    log.warn({ error: bundles.error }, "could not bundle the stages: they start from their source, which costs each about 0.2 CPU-seconds more")
    return stageCommand
  }
  return (stage) => ({ command: process.execPath, args: [join(bundles.dir, `${stage}.js`)] })
}

export interface Child {
  stage: Stage
  index: number
  workerId: string
  logFile: string
  process: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stopping: boolean
  restarts: number
  startedAt: number
}

/** Starts one copy of a stage with a stable consumer name, its output going to its own log file. */
export function startChild(launch: StageLauncher, stage: Stage, index: number, workerBase: string, logDir: string, supervisorToken: string, restarts = 0): Child {
  mkdirSync(logDir, { recursive: true })
  const logFile = join(logDir, `${stage}-${index}.log`)
  const fd = openSync(logFile, "a")
  const workerId = `${workerBase}:${stage}:${index}`
  const { command, args } = launch(stage)
  const proc = spawn(command, args, {
    cwd: projectRoot,
    env: { ...process.env, ...allocatorEnv(stage, process.env), WORKER_ID: workerId, LOG_FORMAT: "json", MIGRATOR_SUPERVISOR: supervisorToken },
    stdio: ["ignore", fd, fd],
  })
  closeSync(fd)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once("exit", (code, signal) => resolve({ code, signal }))
    proc.once("error", () => resolve({ code: 1, signal: null }))
  })
  return { stage, index, workerId, logFile, process: proc, exited, stopping: false, restarts, startedAt: Date.now() }
}

/** The last plain-text line a child wrote (its one-line error), else its last log message. */
export function lastWords(logFile: string): string {
  try {
    const lines = readFileSync(logFile, "utf8").trim().split("\n").slice(-20).reverse()
    for (const line of lines) {
      if (!line.startsWith("{")) return line
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } }
        if ((entry.level ?? 0) >= 50) return entry.err?.message ? `${entry.msg}: ${entry.err.message}` : (entry.msg ?? line)
      } catch {
        return line
      }
    }
    return lines[0] ?? "no output"
  } catch {
    return "no log"
  }
}

/** Asks children to stop (SIGTERM: finish the batch, ack, close) and waits, killing any that outstay `graceMs`. */
export async function stopChildren(children: Child[], graceMs: number): Promise<void> {
  const alive = children.filter((c) => c.process.exitCode === null && c.process.signalCode === null)
  for (const c of alive) {
    c.stopping = true
    c.process.kill("SIGTERM")
  }
  const timer = setTimeout(() => alive.forEach((c) => c.process.kill("SIGKILL")), graceMs)
  await Promise.all(alive.map((c) => c.exited))
  clearTimeout(timer)
}
