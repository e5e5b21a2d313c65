import type { Redis } from "ioredis"
import { type ConsumerStage, type Stage, stageNames, stageSpec } from "../pipeline/stages"
import { allGroups, type GroupInfo } from "../run/drain"
import { decodeRun, type RunState } from "../run/state"
import { pairs } from "../streams/entries"
import type { StreamKeys } from "../streams/keys"
import { type LastRun, decodeLastRun, decodePlan, type ExtractUnit, extractUnits, rateOf, type RunPlan } from "./decode"

export interface ConsumerInfo {
  name: string
  pending: number
  idleMs: number
}

/** The entry waiting longest for an acknowledgement in a group (XPENDING): a stuck or failing entry shows here. */
export interface OldestPending {
  id: string
  consumer: string
  idleMs: number
  deliveries: number
}

export interface StageStatus {
  stage: Stage
  /** Rows this stage handled in the current run. */
  done: number
  /** Rows this stage will have handled when the run ends, as far as is known now. */
  expected: number | null
  /** Rows per second over the last 30 seconds of samples; 0 when nothing was recorded in that window. */
  rate: number | null
  etaSeconds: number | null
  group: (GroupInfo & { consumerList: ConsumerInfo[]; oldestPending: OldestPending | null }) | null
}

export interface PipelineStatus {
  /** When this was read (ms since the epoch). */
  at: number
  prefix: string
  run: (RunState & { totalProducts: number | null; plan: RunPlan | null; watermark: string | null }) | null
  lastRun: LastRun | null
  extract: { units: number; unitsDone: number; finished: boolean; planned: boolean | null; positions: ExtractUnit[] }
  stages: StageStatus[]
  counts: Record<string, number>
  dlq: { length: number; byReason: { stage: string; entity: string; reason: string; rows: number }[] }
}

const num = (raw: Record<string, string>) => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]))
const optionalNumber = (v: string | undefined) => (v ? Number(v) : null)

async function consumersOf(client: Redis, g: GroupInfo): Promise<ConsumerInfo[]> {
  if (g.consumers === 0) return []
  const raw = (await client.call("XINFO", "CONSUMERS", g.stream, g.stage)) as unknown[][]
  return raw.map(pairs).map((c) => ({ name: String(c["name"]), pending: Number(c["pending"]), idleMs: Number(c["idle"]) }))
}

async function oldestPending(client: Redis, g: GroupInfo): Promise<OldestPending | null> {
  if (g.pending === 0) return null
  const rows = (await client.call("XPENDING", g.stream, g.stage, "-", "+", 1)) as [string, string, number, number][]
  const row = rows[0]
  return row ? { id: String(row[0]), consumer: String(row[1]), idleMs: Number(row[2]), deliveries: Number(row[3]) } : null
}

/**
 * Everything status shows, read from Redis in one pass: XINFO STREAM/GROUPS/CONSUMERS and
 * XPENDING per stage, the run hashes, counters, extract positions and progress samples. Works on
 * an empty Redis (every part reads as zero or null).
 */
export async function collectStatus(client: Redis, keys: StreamKeys): Promise<PipelineStatus> {
  const rawRun = await client.hgetall(keys.run)
  const base = decodeRun(rawRun)
  const run = base
    ? {
        ...base,
        totalProducts: optionalNumber(rawRun["total_products"]),
        ...decodePlan(rawRun),
      }
    : null
  const lastRun = decodeLastRun(await client.hgetall(keys.lastRun))
  const counts = run ? num(await client.hgetall(keys.counts(run.id))) : {}
  const progress = run ? num(await client.hgetall(keys.progress(run.id))) : {}
  const extract = run
    ? extractUnits(run, await client.hgetall(keys.unitPositions(run.id)))
    : { units: 0, unitsDone: 0, finished: false, planned: null, positions: [] }

  const groups = await allGroups(client, keys)
  // Extract expects the run's product total (or plan size); every other stage what its upstream reported.
  const expectedOf = (stage: Stage): number | null =>
    stage === "extract" ? (run?.kind === "incremental" ? (run.plan?.products ?? null) : (run?.totalProducts ?? null)) : stageSpec(stage).expected(counts)
  const now = Date.now()
  const stages: StageStatus[] = []
  for (const stage of stageNames) {
    const g = groups.find((x) => x.stage === stage)
    const rate = run ? await rateOf(client, keys, stage, run.id, now) : null
    const done = progress[stage] ?? 0
    // Nothing expected yet is not "all done" while the run goes on (upstream may not have
    // reported): unknown until the run ends, so a fresh stage shows no full bar.
    const known = expectedOf(stage)
    const exp = known === 0 && run?.status !== "done" ? null : known
    const remaining = exp === null ? null : Math.max(0, exp - done)
    stages.push({
      stage,
      done,
      expected: exp,
      rate,
      etaSeconds: remaining === 0 ? 0 : remaining !== null && rate ? remaining / rate : null,
      group: g ? { ...g, consumerList: await consumersOf(client, g), oldestPending: await oldestPending(client, g) } : null,
    })
  }
  // A counter back at zero (its letters retried or purged) is no longer worth a line.
  const byReason = Object.entries(await client.hgetall(keys.dlqCounts))
    .map(([k, v]) => {
      const [stage = "", entity = "", reason = ""] = k.split("|")
      return { stage, entity, reason, rows: Number(v) }
    })
    .filter((d) => d.rows > 0)
  return {
    at: now,
    prefix: keys.prefix,
    run,
    lastRun,
    extract,
    stages,
    counts,
    dlq: { length: await client.xlen(keys.dlq), byReason: byReason.sort((a, b) => b.rows - a.rows) },
  }
}

export type { ConsumerStage }
