import { Gauge, Registry } from "prom-client"
import type { PipelineStatus } from "../status/collect"

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : ms / 1000)

/**
 * The Prometheus view of one status reading (src/status/collect.ts): the same Redis state
 * `status --json` shows, so one scrape target covers every stage copy on every host. Every
 * value is read from Redis at scrape time, hence gauges: counters reset with each run and
 * Prometheus's counter semantics (monotonic per process) would not hold.
 */
export function exposition(status: PipelineStatus): Registry {
  const registry = new Registry()
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: `migrator_${name}`, help, labelNames, registers: [registry] })

  gauge("redis_up", "1 when this reading came from Redis").set(1)
  const run = status.run
  const runInfo = gauge("run_info", "The current run: 1 with its id, kind, state and test mode as labels", ["run", "kind", "state", "test_mode"])
  const runStart = gauge("run_start_time_seconds", "When the current run started (Unix time)", ["run"])
  const runFinish = gauge("run_finish_time_seconds", "When the current run finished (Unix time); absent while it runs", ["run"])
  if (run) {
    runInfo.set({ run: run.id, kind: run.kind, state: run.status, test_mode: String(run.testMode) }, 1)
    runStart.set({ run: run.id }, run.startedAt / 1000)
    if (run.finishedAt) runFinish.set({ run: run.id }, run.finishedAt / 1000)
  }
  const last = status.lastRun
  const lastFinish = gauge("last_run_finish_time_seconds", "When the last finished run ended (Unix time)", ["run", "kind"])
  if (last?.finishedAt) lastFinish.set({ run: last.id, kind: last.kind }, last.finishedAt / 1000)

  const units = gauge("extract_units", "Extract work units of the current run, by state", ["state"])
  units.set({ state: "done" }, status.extract.unitsDone)
  units.set({ state: "all" }, status.extract.units)

  const stage = (name: string, help: string) => gauge(`stage_${name}`, help, ["stage"])
  const done = stage("rows_done", "Rows the stage processed in the current run (written or not)")
  const expected = stage("rows_expected", "Rows the stage will have processed when the run ends, as far as known now")
  const rate = stage("rows_per_second", "Rows per second over the last 30 seconds")
  const eta = stage("eta_seconds", "Seconds until the stage is done at its current rate")
  const length = stage("stream_length_entries", "Entries in the stage's input stream (XLEN)")
  const lag = stage("lag_entries", "Entries of the input stream not yet delivered to the group")
  const pending = stage("pending_entries", "Entries delivered and not yet acknowledged")
  const consumers = stage("consumers", "Consumers in the stage's group, on every host")
  const oldest = stage("oldest_pending_idle_seconds", "Idle time of the entry waiting longest for its acknowledgement")
  const restarts = stage("restarts", "Stage copies migrate restarted in the current run")
  const consumerPending = gauge("consumer_pending_entries", "Entries a consumer holds unacknowledged", ["stage", "consumer"])
  const consumerIdle = gauge("consumer_idle_seconds", "Seconds since a consumer last read", ["stage", "consumer"])
  for (const s of status.stages) {
    const l = { stage: s.stage }
    done.set(l, s.done)
    if (s.expected !== null) expected.set(l, s.expected)
    if (s.rate !== null) rate.set(l, s.rate)
    if (s.etaSeconds !== null) eta.set(l, s.etaSeconds)
    restarts.set(l, status.counts[`restarts.${s.stage}`] ?? 0)
    const g = s.group
    if (!g) continue
    length.set(l, g.length)
    lag.set(l, g.lag)
    pending.set(l, g.pending)
    consumers.set(l, g.consumers)
    oldest.set(l, seconds(g.oldestPending?.idleMs) ?? 0)
    for (const c of g.consumerList) {
      consumerPending.set({ stage: s.stage, consumer: c.name }, c.pending)
      consumerIdle.set({ stage: s.stage, consumer: c.name }, c.idleMs / 1000)
    }
  }

  const letters = gauge("dead_letter_rows", "Rows in the dead-letter stream, by stage, entity and reason", ["stage", "entity", "reason"])
  for (const d of status.dlq.byReason) letters.set({ stage: d.stage, entity: d.entity, reason: d.reason }, d.rows)
  gauge("dead_letter_entries", "Entries in the dead-letter stream").set(status.dlq.length)

  // Counters are named entity.outcome[.reason] (products.rejected.invalid_price, extract.products).
  const outcomes = gauge("outcome_rows", "The current run's counters: rows by entity, outcome and reason", ["entity", "outcome", "reason"])
  for (const [key, value] of Object.entries(status.counts)) {
    if (key.startsWith("restarts.")) continue
    const [entity = "", outcome = "", ...reason] = key.split(".")
    outcomes.set({ entity, outcome, reason: reason.join(".") }, value)
  }
  return registry
}

/** What a scrape returns when Redis cannot be read: the target is up, the pipeline's state unknown. */
export function unreachableExposition(): Registry {
  const registry = new Registry()
  new Gauge({ name: "migrator_redis_up", help: "1 when this reading came from Redis", registers: [registry] }).set(0)
  return registry
}
