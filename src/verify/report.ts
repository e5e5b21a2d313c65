import { fmt, preview, table } from "../cli/table"
import type { Difference } from "./differences"
import type { Tally } from "./tally"
import type { VerifyReport } from "./verify"

/** What `verify --json` prints (docs/OPERATIONS.md). Add fields, never rename them; a breaking change bumps `version`. */
export interface VerifyDocument {
  version: 1
  ok: boolean
  testMode: boolean
  histories: { sampleRate: number; groupsChecked: number }
  outcomes: {
    products: Tally["products"] & { keptIds: string[] }
    histories: Tally["histories"]
    multimedia: Tally["multimedia"]
  }
  groups: number
  tables: Tally["tables"]
  differences: { total: number; byTable: Record<string, { missing: number; extra: number; field: number }>; first: Difference[] }
  elapsedMs: number
}

export function verifyDocument(r: VerifyReport): VerifyDocument {
  const t = r.tally
  return {
    version: 1,
    ok: r.diffs.total === 0,
    testMode: r.testMode,
    histories: { sampleRate: r.sample.rate, groupsChecked: r.sample.groups },
    outcomes: { products: { ...t.products, keptIds: r.keptIds }, histories: t.histories, multimedia: t.multimedia },
    groups: t.groups,
    tables: t.tables,
    differences: { total: r.diffs.total, byTable: r.diffs.byTable, first: r.diffs.first },
    elapsedMs: r.elapsedMs,
  }
}

const reasons = (counts: Record<string, number>) => {
  const parts = Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`)
  return parts.length > 0 ? ` (${parts.join(", ")})` : ""
}
const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0)

/** A difference in one line: where (table, id, column) and what (expected vs actual, or why). */
export function describeDifference(d: Difference): string {
  const show = (v: unknown) => preview(v === undefined ? "nothing" : JSON.stringify(v), 50)
  if (d.problem === "field") return `${d.table} ${d.id} ${d.column}: expected ${show(d.expected)}, found ${show(d.actual)}`
  return `${d.table} ${d.id}: ${d.problem === "missing" ? "missing" : "extra row"}${d.note ? ` (${d.note})` : ""}`
}

export function renderVerify(r: VerifyReport): string {
  const t = r.tally
  const p = t.products
  const h = t.histories
  const scope = r.testMode ? "TEST_MODE selection" : r.sample.rate >= 1 ? "all groups" : `a ${(r.sample.rate * 100).toFixed(1)}% sample`
  const out = [
    `verify: v3 against the legacy database (${fmt(t.groups)} groups${r.testMode ? ", TEST_MODE" : ""}) in ${(r.elapsedMs / 1000).toFixed(1)}s`,
    "",
    `legacy products ${fmt(p.legacy)}: migrated ${fmt(p.migrated)}, excluded ${fmt(p.excluded)}, rejected ${fmt(total(p.rejected))}${reasons(p.rejected)}`,
    `  rejected now but kept from an earlier run (not compared): ${fmt(p.keptEarlierVersion)}${r.keptIds.length ? ` e.g. ${r.keptIds.slice(0, 3).join(", ")}` : ""}`,
    `history rows of ${fmt(h.groups)} groups (${scope}): ${fmt(h.legacyRows)} legacy rows, kept ${fmt(h.kept)}, filled ${fmt(h.filled)}, dropped ${fmt(total(h.dropped))}${reasons(h.dropped)}`,
    `gallery items: migrated ${fmt(t.multimedia.migrated)}, dropped ${fmt(total(t.multimedia.dropped))}${reasons(t.multimedia.dropped)}, invalid galleries ${fmt(t.multimedia.invalidGalleries)}`,
    "",
  ]
  const rows = Object.entries(t.tables).map(([name, c]) => {
    const d = r.diffs.byTable[name]
    return [name, fmt(c.expected), fmt(c.actual), fmt(c.compared), d ? `${d.missing} missing, ${d.extra} extra, ${d.field} fields` : "none"]
  })
  out.push(...table(["table", "expected", "in v3", "compared", "differences"], rows, ["left", "right", "right", "right"]), "")
  if (r.diffs.total === 0) out.push("v3 matches the legacy database")
  else {
    out.push(`${fmt(r.diffs.total)} differences; the first ${r.diffs.first.length}:`)
    out.push(...r.diffs.first.map((d) => `  ${describeDifference(d)}`))
  }
  return out.join("\n")
}
