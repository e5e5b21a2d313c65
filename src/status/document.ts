import type { OldestPending, PipelineStatus } from "./collect"
import type { ExtractUnit, LastRun, RunPlan } from "./decode"

/**
 * What `status --json` prints: one JSON document whose shape is a contract for scripts
 * (docs/OPERATIONS.md). Times are ISO-8601 strings, durations milliseconds or seconds as named;
 * a field that cannot be known yet is null, never absent. Add fields, never rename them; a
 * breaking change bumps `version`.
 */
export interface StatusDocument {
  version: 1
  generatedAt: string
  prefix: string
  /** none: no run in this Redis; in_progress: a run started and not finished (stopped or running); done. */
  state: "none" | "in_progress" | "done"
  run: {
    id: string
    kind: "full" | "incremental"
    status: "extracting" | "extracted" | "done"
    testMode: boolean
    startedAt: string
    extractedAt: string | null
    finishedAt: string | null
    elapsedMs: number
    totalProducts: number | null
    plan: RunPlan | null
    watermark: string | null
  } | null
  /** The last finished run: LastRun with its times as ISO-8601 text. */
  lastRun: (Omit<LastRun, "startedAt" | "finishedAt"> & { startedAt: string; finishedAt: string | null }) | null
  extract: { finished: boolean; planReady: boolean | null; units: { done: number; total: number }; positions: ExtractUnit[] }
  stages: {
    stage: string
    done: number
    expected: number | null
    fraction: number | null
    ratePerSecond: number | null
    etaSeconds: number | null
  }[]
  streams: {
    key: string
    length: number
    entriesAdded: number
    group: {
      name: string
      consumers: number
      pending: number
      lag: number
      lastDeliveredId: string
      oldestPending: OldestPending | null
      consumerList: { name: string; pending: number; idleMs: number }[]
    }
  }[]
  counts: Record<string, number>
  deadLetters: { entries: number; byReason: { stage: string; entity: string; reason: string; rows: number }[] }
}

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null)
const round = (n: number | null, digits = 2) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits)

export function statusDocument(st: PipelineStatus): StatusDocument {
  const r = st.run
  const l = st.lastRun
  return {
    version: 1,
    generatedAt: new Date(st.at).toISOString(),
    prefix: st.prefix,
    state: !r ? "none" : r.status === "done" ? "done" : "in_progress",
    run: r && {
      id: r.id,
      kind: r.kind,
      status: r.status,
      testMode: r.testMode,
      startedAt: iso(r.startedAt) ?? "",
      extractedAt: iso(r.extractedAt),
      finishedAt: iso(r.finishedAt),
      elapsedMs: (r.finishedAt ?? st.at) - r.startedAt,
      totalProducts: r.totalProducts,
      plan: r.plan,
      watermark: r.watermark,
    },
    lastRun: l && {
      id: l.id,
      kind: l.kind,
      testMode: l.testMode,
      startedAt: iso(l.startedAt) ?? "",
      finishedAt: iso(l.finishedAt),
      counts: l.counts,
      progress: l.progress,
      plan: l.plan,
      watermark: l.watermark,
    },
    extract: {
      finished: st.extract.finished,
      planReady: st.extract.planned,
      units: { done: st.extract.unitsDone, total: st.extract.units },
      positions: st.extract.positions,
    },
    stages: st.stages.map((s) => ({
      stage: s.stage,
      done: s.done,
      expected: s.expected,
      fraction: s.expected ? round(Math.min(1, s.done / s.expected), 4) : s.expected === 0 ? 1 : null,
      ratePerSecond: round(s.rate),
      etaSeconds: round(s.etaSeconds, 0),
    })),
    streams: st.stages.flatMap((s) => {
      const g = s.group
      if (!g) return []
      return [{
        key: g.stream,
        length: g.length,
        entriesAdded: g.entriesAdded,
        group: {
          name: g.stage,
          consumers: g.consumers,
          pending: g.pending,
          lag: g.lag,
          lastDeliveredId: g.lastDeliveredId,
          oldestPending: g.oldestPending,
          consumerList: g.consumerList,
        },
      }]
    }),
    counts: st.counts,
    deadLetters: { entries: st.dlq.length, byReason: st.dlq.byReason },
  }
}
