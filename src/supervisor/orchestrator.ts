import { hostname } from "node:os"
import { join } from "node:path"
import type { Redis } from "ioredis"
import type pg from "pg"
import type { Logger } from "../log/logger"
import { ExitCode, UserFacingError } from "../runtime/errors"
import { onFatalExit } from "../runtime/main"
import { outageWatch } from "../runtime/outage"
import { sleep } from "../runtime/sleep"
import type { Stage } from "../pipeline/stages"
import type { StreamKeys } from "../streams/keys"
import { type Child, lastWords, stageLauncher, startChild, stopChildren } from "./children"
import { completeRunIfDrained, type RunSummary } from "../run/complete"
import { type ProgressView } from "./progress-view"
import { readRun, type RunState } from "../run/state"
import { explainRunLoss, runLost } from "../run/lost"
import { formatSummary } from "../run/summary"
import { type CopyPlan, planIsLarge } from "./scale"

export interface OrchestratorOptions {
  redis: Redis
  v3: pg.Pool
  keys: StreamKeys
  run: RunState
  /** Copies to start now, and more for a large incremental plan (src/supervisor/scale.ts). */
  copies: CopyPlan
  logDir: string
  log: Logger
  view: ProgressView
  signal: AbortSignal
  /** This migrate's supervisor lease (src/supervisor/lease.ts): its stages carry the token and stop when it is gone. */
  supervisor: { token: string; lost: () => boolean }
}

const POLL_MS = 500
/**
 * Once extract has published everything, the run ends at the first poll that finds the stages
 * drained: half a poll of 500 ms on average was 3 % of a 400k quiet day (about 7.5 s).
 */
const DRAIN_POLL_MS = 100
/** Restarts of one stage copy before the run is declared failed. */
const MAX_RESTARTS = 5
const STOP_GRACE_MS = 30_000
const RESTART_WINDOW_MS = 60_000

/**
 * Starts every stage as its own process, supervises them (a crashed copy is restarted; a copy
 * that exits for a bad setting or an unreachable server ends the run), shows progress, and
 * once extract has finished and every group is drained, completes the run, stops the stages
 * and returns the summary. Aborting `signal` stops the stages gracefully; the run resumes on
 * the next `migrate`.
 */
export async function orchestrate(o: OrchestratorOptions): Promise<RunSummary> {
  const workerBase = process.env["WORKER_ID"] ?? hostname()
  const logDir = join(o.logDir, o.run.id)
  const children: Child[] = []
  const launch = stageLauncher(o.log)
  const start = (copies: Partial<Record<Stage, number>>, from: (stage: Stage) => number) => {
    const started: Child[] = []
    for (const [stage, n] of Object.entries(copies) as [Stage, number][]) {
      for (let i = from(stage); i < from(stage) + n; i++) started.push(startChild(launch, stage, i, workerBase, logDir, o.supervisor.token))
    }
    children.push(...started)
    return started
  }
  start(o.copies.now, () => 0)
  o.log.info({ run: o.run.id, kind: o.run.kind, logDir, workers: o.copies.now }, "stages started")
  let later = Object.keys(o.copies.later).length > 0 ? o.copies.later : undefined
  let failure: UserFacingError | undefined
  const supervise = (child: Child) => {
    void child.exited.then(({ code, signal }) => {
      if (child.stopping || o.signal.aborted || failure) return
      if (child.stage === "extract" && code === 0) return
      const reason = signal ? `killed by ${signal}` : `exit status ${code}`
      if (code === ExitCode.usage || code === ExitCode.unreachable || child.restarts >= MAX_RESTARTS) {
        failure = new UserFacingError(`${child.stage} stopped (${reason}): ${lastWords(child.logFile)}`, code === ExitCode.usage || code === ExitCode.unreachable ? code : ExitCode.failed)
        return
      }
      // A copy that ran a good while before dying starts a fresh restart budget.
      const restarts = Date.now() - child.startedAt > RESTART_WINDOW_MS ? 1 : child.restarts + 1
      o.log.warn({ stage: child.stage, index: child.index, reason, restarts }, "stage exited; restarting it")
      // Counted with the run's counters, for status and /metrics (migrator_stage_restarts).
      void o.redis.hincrby(o.keys.counts(o.run.id), `restarts.${child.stage}`, 1).catch(() => undefined)
      const replacement = startChild(launch, child.stage, child.index, workerBase, logDir, o.supervisor.token, restarts)
      children[children.indexOf(child)] = replacement
      supervise(replacement)
    })
  }
  children.forEach(supervise)
  /** Once the incremental plan is known: a large one gets the stages' other default copies. */
  const scaleToPlan = async () => {
    if (!later) return
    const products = await o.redis.hget(o.keys.run, "plan_products")
    if (products === null) return
    if (planIsLarge(o.copies, Number(products))) {
      start(later, (stage) => o.copies.now[stage]).forEach(supervise)
      o.log.info({ run: o.run.id, planProducts: Number(products), added: later }, "large plan: started the stages' other copies")
    } else {
      o.log.info({ run: o.run.id, planProducts: Number(products), workers: o.copies.now }, "small plan: one copy of each stage does it")
    }
    later = undefined
  }
  // Past OUTAGE_TIMEOUT the process exits 3 from wherever it waits: stop the stages first.
  const forget = onFatalExit(() => stopChildren(children, STOP_GRACE_MS))
  const watch = outageWatch()
  try {
    let extracted = false
    for (;;) {
      await sleep(extracted ? DRAIN_POLL_MS : POLL_MS)
      if (failure) throw failure
      if (o.signal.aborted) {
        o.view.stop()
        o.log.info("stopping stages: each finishes its batch and acknowledges it")
        await stopChildren(children, STOP_GRACE_MS)
        throw new UserFacingError("interrupted: stages stopped cleanly; run `npm run migrate` again to resume", ExitCode.interrupted)
      }
      // A server restart while polling: wait for it (the stages wait too), then poll again.
      const summary = await explainRunLoss(o.redis, o.keys, o.run.id, () => watch.ride(() => completeRunIfDrained(o.redis, o.v3, o.keys, o.log), o.signal))
      if (summary) {
        o.view.stop()
        await stopChildren(children, STOP_GRACE_MS)
        return summary
      }
      const run = await readRun(o.redis, o.keys)
      if (run && o.supervisor.lost()) throw new UserFacingError("this migrate lost its lock on the pipeline to another migrate: stopping its stages", ExitCode.failed)
      if (!run) throw runLost(o.run.id)
      if (run.id !== o.run.id) throw new UserFacingError(`run ${o.run.id} was replaced by run ${run.id} (another process started it)`, ExitCode.failed)
      extracted = run.status === "extracted"
      await scaleToPlan()
      await explainRunLoss(o.redis, o.keys, o.run.id, () => o.view.update(run))
    }
  } catch (err) {
    await stopChildren(children, STOP_GRACE_MS)
    throw err
  } finally {
    forget()
  }
}

export function summaryText(summary: RunSummary): string {
  return formatSummary(summary, summary.counts["dlq.entries"] ?? 0)
}

/** Why a finished run is not a success (exit 1), in one line, or undefined. */
export function runProblem(summary: RunSummary): string | undefined {
  const entries = summary.counts["dlq.entries"] ?? 0
  const products = summary.counts["products.failed"] ?? 0
  if (entries > 0) {
    return `run finished, but ${entries} stream entries were dead-lettered after repeated failures: ${products > 0 ? `${products} products not loaded; ` : ""}` +
      "inspect them with npm run dlq -- list, fix the cause, then npm run dlq -- retry"
  }
  const refused = ["products", "histories", "multimedia"].map((t) => [t, summary.counts[`${t}.rejected.load_error`] ?? 0] as const).filter(([, n]) => n > 0)
  if (refused.length > 0) {
    return `run finished, but the v3 database refused ${refused.map(([t, n]) => `${n} ${t === "products" ? "products" : `${t} rows`}`).join(" and ")}: ` +
      "npm run dlq -- list --reason load_error shows them and why; fix the cause, then npm run dlq -- retry --reason load_error"
  }
  if (summary.check && !summary.check.ok) {
    return `run finished, but v3 holds ${summary.check.v3Products} products of this run where the run accounts for ${summary.check.accounted}: run npm run verify -- --full`
  }
  return undefined
}
