import { duration } from "../pipeline/summary"
import type { PipelineStatus, StageStatus } from "./collect"

const fmt = (n: number) => Math.round(n).toLocaleString("en-US")

export function bar(fraction: number, width = 20): string {
  const f = Math.min(1, Math.max(0, fraction))
  const full = Math.round(f * width)
  return `${"█".repeat(full)}${"░".repeat(width - full)}`
}

/** One line per stage: rows done of expected, a bar, rate, ETA, and the group's lag and pending. */
export function stageLine(s: StageStatus): string {
  const fraction = s.expected ? s.done / s.expected : s.expected === 0 ? 1 : 0
  const of = s.expected !== null ? ` / ${fmt(s.expected)}` : ""
  const rate = s.rate !== null ? `${fmt(s.rate)}/s` : "-"
  const eta = s.etaSeconds !== null ? duration(s.etaSeconds * 1000) : "-"
  const group = s.group ? `lag ${s.group.lag}  pending ${s.group.pending}` : ""
  return `${s.stage.padEnd(16)} ${bar(fraction)} ${`${fmt(s.done)}${of}`.padEnd(25)} ${rate.padStart(10)}  eta ${eta.padEnd(7)} ${group}`
}

export function progressLines(st: PipelineStatus): string[] {
  if (!st.run) return ["no run in progress"]
  const r = st.run
  const head = `run ${r.id} (${r.kind}${r.testMode ? ", TEST_MODE" : ""}) ${r.status} · extract units ${st.extract.unitsDone}/${st.extract.units} · elapsed ${duration(Date.now() - r.startedAt)}`
  return [head, ...st.stages.map(stageLine)]
}

/** The full human view of `status`: streams, groups, consumers, rates, ETA, dead letters. */
export function renderStatus(st: PipelineStatus): string {
  const out: string[] = []
  if (!st.run) out.push("No migration has run yet against this Redis (or its state was cleared). Start one with: npm run migrate")
  else {
    const r = st.run
    out.push(...progressLines(st))
    if (r.kind === "incremental" && r.planGroups !== null) {
      out.push(`incremental plan: ${fmt(r.planGroups)} changed groups, ${fmt(r.planProducts ?? 0)} products`)
    }
    out.push("", "streams and groups:")
    for (const s of st.stages) {
      const g = s.group
      if (!g) continue
      out.push(`  ${g.stream}  length ${g.length}  added ${g.entriesAdded}  group ${g.stage}: consumers ${g.consumers}, pending ${g.pending}, lag ${g.lag}, last delivered ${g.lastDeliveredId}`)
      for (const c of g.consumerList) out.push(`    consumer ${c.name}: pending ${c.pending}, idle ${duration(c.idleMs)}`)
    }
  }
  if (st.lastRun) {
    const l = st.lastRun
    out.push("", `last finished run: ${l["id"]} (${l["kind"]}) finished ${l["finished_at"] ? new Date(Number(l["finished_at"])).toISOString() : "?"}`)
  }
  out.push("", `dead letters: ${st.dlq.length} entries`)
  for (const d of st.dlq.byReason) out.push(`  ${d.stage.padEnd(16)} ${d.entity.padEnd(13)} ${d.reason.padEnd(20)} ${fmt(d.rows)} rows`)
  return out.join("\n")
}
