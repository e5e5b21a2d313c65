import { fmt, table } from "../cli/table"
import { duration } from "../run/summary"
import type { PipelineStatus, StageStatus } from "./collect"
import type { LastRun, RunPlan } from "./decode"

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
  const elapsed = duration((r.finishedAt ?? st.at) - r.startedAt)
  const head = `run ${r.id} (${r.kind}${r.testMode ? ", TEST_MODE" : ""}) ${r.status} · extract units ${st.extract.unitsDone}/${st.extract.units} · elapsed ${elapsed}`
  return [head, ...st.stages.map(stageLine)]
}

function streamLines(st: PipelineStatus): string[] {
  const rows: string[][] = []
  for (const s of st.stages) {
    const g = s.group
    if (!g) continue
    rows.push([g.stream, String(g.length), String(g.entriesAdded), g.stage, String(g.consumers), String(g.pending), String(g.lag), g.lastDeliveredId])
  }
  const out = table(["stream", "length", "added", "group", "consumers", "pending", "lag", "last delivered"], rows, ["left", "right", "right", "left", "right", "right", "right"])
  for (const s of st.stages) {
    const g = s.group
    if (!g) continue
    for (const c of g.consumerList) out.push(`  ${g.stage} consumer ${c.name}: pending ${c.pending}, idle ${duration(c.idleMs)}`)
    const o = g.oldestPending
    if (o) out.push(`  ${g.stage} oldest pending ${o.id} on ${o.consumer}: idle ${duration(o.idleMs)}, delivered ${o.deliveries} time${o.deliveries === 1 ? "" : "s"}`)
  }
  return out
}

function extractLines(st: PipelineStatus): string[] {
  const e = st.extract
  const head = `extract: ${e.finished ? "finished" : "not finished"}, units ${e.unitsDone}/${e.units} done${
    e.planned === null ? "" : e.planned ? ", incremental plan ready" : ", computing the incremental plan"
  }`
  const rows = e.positions.map((p) => [p.unit, p.done ? "done" : p.lastKey === null ? "not started" : "in progress", p.lastKey ?? "-"])
  return [head, ...table(["unit", "state", "last key"], rows).map((l) => `  ${l}`)]
}

const planText = (p: RunPlan) =>
  `${fmt(p.groups)} changed groups (${fmt(p.products)} products): ${fmt(p.newGroups)} new, ${fmt(p.productChanges)} with product changes, ${fmt(p.historyChanges)} with history changes`

const sum = (counts: Record<string, number>, prefix: string) =>
  Object.entries(counts).filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0)

function lastRunLines(l: LastRun): string[] {
  const c = l.counts
  const finished = l.finishedAt ? `finished ${new Date(l.finishedAt).toISOString()} after ${duration(l.finishedAt - l.startedAt)}` : "finished"
  const lines = [`last finished run: ${l.id} (${l.kind}${l.testMode ? ", TEST_MODE" : ""}) ${finished}`]
  if (l.watermark) lines.push(`  legacy updated up to ${l.watermark}`)
  if (l.plan) lines.push(`  changes: ${planText(l.plan)}`)
  lines.push(
    `  products: read ${fmt(c["extract.products"] ?? 0)}, migrated ${fmt(c["products.migrated"] ?? 0)}, excluded ${fmt(
      c["products.excluded"] ?? 0,
    )}, rejected ${fmt(sum(c, "products.rejected."))}, kept earlier version ${fmt(c["products.kept_previous"] ?? 0)}`,
    `  histories: kept ${fmt(c["histories.kept"] ?? 0)}, filled ${fmt(c["histories.filled"] ?? 0)}, dropped ${fmt(sum(c, "histories.dropped."))}` +
      ` · multimedia: migrated ${fmt(c["multimedia.migrated"] ?? 0)}, dropped ${fmt(sum(c, "multimedia.dropped."))}` +
      ` · failed entries ${fmt(c["dlq.entries"] ?? 0)}`,
  )
  return lines
}

/** The full human view of `status`: run, stages, streams, groups, consumers, extract, last run, dead letters. */
export function renderStatus(st: PipelineStatus): string {
  const out: string[] = [`migration status of ${st.prefix} at ${new Date(st.at).toISOString()}`, ""]
  if (!st.run) out.push("No migration has run yet against this Redis (or its state was cleared). Start one with: npm run migrate")
  else {
    const r = st.run
    out.push(...progressLines(st))
    if (r.plan) out.push(`incremental plan: ${planText(r.plan)}`)
    out.push("", ...streamLines(st), "", ...extractLines(st))
  }
  if (st.lastRun) out.push("", ...lastRunLines(st.lastRun))
  out.push("", `dead letters: ${fmt(st.dlq.length)} entries${st.dlq.length > 0 ? " (npm run dlq -- list)" : ""}`)
  if (st.dlq.byReason.length > 0) {
    const rows = st.dlq.byReason.map((d) => [d.stage, d.entity, d.reason, fmt(d.rows)])
    out.push(...table(["stage", "entity", "reason", "rows"], rows, ["left", "left", "left", "right"]).map((l) => `  ${l}`))
  }
  return out.join("\n")
}
