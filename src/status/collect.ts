import type { Redis } from "ioredis"
import { allGroups, type GroupInfo } from "../pipeline/drain"
import { decodeRun, type RunState } from "../pipeline/run"
import { pairs } from "../streams/trim"
import { type ConsumerStage, consumerStages, type Stage, type StreamKeys } from "../streams/keys"
import { readSamples } from "../streams/progress"

export interface ConsumerInfo {
  name: string
  pending: number
  idleMs: number
}

export interface StageStatus {
  stage: Stage
  /** Rows this stage handled in the current run. */
  done: number
  /** Rows this stage will have handled when the run ends, as far as is known now. */
  expected: number | null
  /** Rows per second over the last 30 seconds of samples. */
  rate: number | null
  etaSeconds: number | null
  group: (GroupInfo & { consumerList: ConsumerInfo[] }) | null
}

export interface PipelineStatus {
  run: (RunState & { totalProducts: number | null; planGroups: number | null; planProducts: number | null }) | null
  lastRun: Record<string, string> | null
  extract: { units: number; unitsDone: number; positions: Record<string, unknown> }
  stages: StageStatus[]
  counts: Record<string, number>
  dlq: { length: number; byReason: { stage: string; entity: string; reason: string; rows: number }[] }
}

const RATE_WINDOW_MS = 30_000
const num = (raw: Record<string, string>) => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]))

async function rateOf(client: Redis, keys: StreamKeys, stage: Stage, runId: string): Promise<number | null> {
  const samples = (await readSamples(client, keys, stage)).filter((s) => s.run === runId)
  const last = samples[samples.length - 1]
  if (!last) return null
  const window = samples.filter((s) => s.t >= last.t - RATE_WINDOW_MS)
  const first = window[0]!
  if (last.t - first.t < 1_000) return null
  return ((last.n - first.n) * 1000) / (last.t - first.t)
}

async function consumersOf(client: Redis, g: GroupInfo): Promise<ConsumerInfo[]> {
  if (g.consumers === 0) return []
  const raw = (await client.call("XINFO", "CONSUMERS", g.stream, g.stage)) as unknown[][]
  return raw.map(pairs).map((c) => ({ name: String(c["name"]), pending: Number(c["pending"]), idleMs: Number(c["idle"]) }))
}

/** Everything status shows, read from Redis in one pass (XINFO STREAM/GROUPS/CONSUMERS, XPENDING, counters, samples). */
export async function collectStatus(client: Redis, keys: StreamKeys): Promise<PipelineStatus> {
  const rawRun = await client.hgetall(keys.run)
  const base = decodeRun(rawRun)
  const run = base
    ? {
        ...base,
        totalProducts: rawRun["total_products"] ? Number(rawRun["total_products"]) : null,
        planGroups: rawRun["plan_groups"] ? Number(rawRun["plan_groups"]) : null,
        planProducts: rawRun["plan_products"] ? Number(rawRun["plan_products"]) : null,
      }
    : null
  const lastRunRaw = await client.hgetall(keys.lastRun)
  const counts = run ? num(await client.hgetall(keys.counts(run.id))) : {}
  const progress = run ? num(await client.hgetall(keys.progress(run.id))) : {}
  const positions = run ? await client.hgetall(keys.unitPositions(run.id)) : {}
  const parsedPositions = Object.fromEntries(Object.entries(positions).map(([k, v]) => [k, JSON.parse(v) as unknown]))
  const unitsDone = Object.entries(parsedPositions).filter(([k, v]) => k !== "plan" && (v as { done?: boolean }).done).length
  const units = run ? (run.testMode ? 1 : run.slices + (run.kind === "full" ? 1 : 0)) : 0

  const groups = await allGroups(client, keys)
  const expected: Record<Stage, number | null> = {
    extract: run?.kind === "incremental" ? (run.planProducts ?? null) : (run?.totalProducts ?? null),
    transform: counts["extract.products"] ?? 0,
    "load-products": counts["products.migrated"] ?? 0,
    "load-histories": (counts["histories.kept"] ?? 0) + (counts["histories.filled"] ?? 0),
    "load-multimedia": counts["multimedia.migrated"] ?? 0,
  }
  const stages: StageStatus[] = []
  for (const stage of ["extract", ...consumerStages] as Stage[]) {
    const g = groups.find((x) => x.stage === stage)
    const rate = run ? await rateOf(client, keys, stage, run.id) : null
    const done = progress[stage] ?? 0
    const exp = expected[stage]
    const remaining = exp === null ? null : Math.max(0, exp - done)
    stages.push({
      stage,
      done,
      expected: exp,
      rate,
      etaSeconds: remaining !== null && rate ? remaining / rate : remaining === 0 ? 0 : null,
      group: g ? { ...g, consumerList: await consumersOf(client, g) } : null,
    })
  }
  const byReason = Object.entries(await client.hgetall(keys.dlqCounts)).map(([k, v]) => {
    const [stage = "", entity = "", reason = ""] = k.split("|")
    return { stage, entity, reason, rows: Number(v) }
  })
  return {
    run,
    lastRun: Object.keys(lastRunRaw).length > 0 ? lastRunRaw : null,
    extract: { units, unitsDone, positions: parsedPositions },
    stages,
    counts,
    dlq: { length: await client.xlen(keys.dlq), byReason: byReason.sort((a, b) => b.rows - a.rows) },
  }
}

export type { ConsumerStage }
