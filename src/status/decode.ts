import type { Redis } from "ioredis"
import { type UnitPosition, unitsOf } from "../extract/units"
import { decodeRun, type RunKind, type RunState } from "../run/state"
import type { Stage } from "../pipeline/stages"
import type { StreamKeys } from "../streams/keys"
import { readSamples } from "../streams/progress"

/** The last finished run, as completeRunIfDrained left it in `{P}:run:last`. */
export interface LastRun {
  id: string
  kind: RunKind
  testMode: boolean
  startedAt: number
  finishedAt: number | null
  counts: Record<string, number>
  progress: Record<string, number>
  /** Incremental runs: what the plan found changed. */
  plan: RunPlan | null
  /** The latest legacy updated_at the run saw. */
  watermark: string | null
}

/** What an incremental run's plan found changed since the run before (src/extract/plan.ts). */
export interface RunPlan {
  groups: number
  products: number
  newGroups: number
  productChanges: number
  historyChanges: number
}

/** The plan and watermark fields of a run hash. */
export function decodePlan(raw: Record<string, string>): { plan: RunPlan | null; watermark: string | null } {
  const n = (k: string) => Number(raw[k] ?? 0)
  const plan =
    raw["plan_groups"] === undefined
      ? null
      : { groups: n("plan_groups"), products: n("plan_products"), newGroups: n("plan_new_groups"), productChanges: n("plan_product_changes"), historyChanges: n("plan_history_changes") }
  return { plan, watermark: raw["watermark"] || null }
}

export interface ExtractUnit {
  unit: string
  /** The last key extract published in this unit: a restarted extract continues after it. */
  lastKey: string | null
  done: boolean
}


function parseSummary(text: string | undefined): { counts: Record<string, number>; progress: Record<string, number> } {
  try {
    const s = JSON.parse(text ?? "{}") as { counts?: Record<string, number>; progress?: Record<string, number> }
    return { counts: s.counts ?? {}, progress: s.progress ?? {} }
  } catch {
    return { counts: {}, progress: {} }
  }
}

export function decodeLastRun(raw: Record<string, string>): LastRun | null {
  const run = decodeRun(raw)
  if (!run) return null
  return {
    id: run.id,
    kind: run.kind,
    testMode: run.testMode,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? null,
    ...parseSummary(raw["summary"]),
    ...decodePlan(raw),
  }
}

/** Extract's units for the run (src/extract/units.ts) with each one's position, and whether the plan is ready. */
export function extractUnits(run: RunState, raw: Record<string, string>) {
  const parsed = new Map<string, UnitPosition>()
  for (const [unit, json] of Object.entries(raw)) {
    try {
      parsed.set(unit, JSON.parse(json) as UnitPosition)
    } catch {
      // A position that does not parse is shown as not started rather than failing status.
    }
  }
  const positions: ExtractUnit[] = unitsOf(run).map((unit) => {
    const p = parsed.get(unit)
    return { unit, lastKey: p?.key ?? null, done: p?.done === true }
  })
  const incremental = run.kind === "incremental" && !run.testMode
  return {
    units: positions.length,
    unitsDone: positions.filter((p) => p.done).length,
    finished: run.status !== "extracting",
    planned: incremental ? parsed.get("plan")?.done === true : null,
    positions,
  }
}

const RATE_WINDOW_MS = 30_000

/**
 * Rows per second of a stage over the last RATE_WINDOW_MS, from the samples the stages push
 * (src/streams/progress.ts), so a one-shot status shows it. No sample in the window means
 * nothing was handled in it: 0. null when there are too few samples to tell.
 */
export async function rateOf(client: Redis, keys: StreamKeys, stage: Stage, runId: string, now: number): Promise<number | null> {
  const samples = (await readSamples(client, keys, stage)).filter((s) => s.run === runId)
  const last = samples[samples.length - 1]
  if (!last) return null
  if (now - last.t > RATE_WINDOW_MS) return 0
  const window = samples.filter((s) => s.t >= last.t - RATE_WINDOW_MS)
  const first = window[0]!
  if (last.t - first.t < 1_000) return null
  return ((last.n - first.n) * 1000) / (last.t - first.t)
}
