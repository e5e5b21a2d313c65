import { isStage, stageSpec } from "../pipeline/stages"
import type { RunSummary } from "./complete"

const fmt = (n: number) => Math.round(n).toLocaleString("en-US")

export function duration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
}

/** "a 3, b 2" from the counts whose key starts with `prefix`, largest first. */
function reasons(counts: Record<string, number>, prefix: string): string {
  const parts = Object.entries(counts)
    .filter(([k]) => k.startsWith(prefix))
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.slice(prefix.length)} ${fmt(v)}`)
  return parts.length > 0 ? ` (${parts.join(", ")})` : ""
}

const sum = (counts: Record<string, number>, prefix: string) =>
  Object.entries(counts).filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0)

/** The human summary `migrate` prints at the end: outcomes by reason, time, throughput per stage. */
export function formatSummary(s: RunSummary, deadLetteredEntries: number): string {
  const c = s.counts
  const elapsed = s.finishedAt - s.startedAt
  const secs = Math.max(elapsed / 1000, 0.001)
  const lines = [
    `run ${s.id} (${s.kind}${s.testMode ? ", TEST_MODE" : ""}) finished in ${duration(elapsed)}${
      s.watermark ? `; legacy updated up to ${s.watermark}` : ""
    }`,
    ...(s.plan
      ? [
          `  changes    ${fmt(s.plan.groups)} groups (${fmt(s.plan.products)} products) to re-migrate: ${fmt(s.plan.newGroups)} new, ${fmt(
            s.plan.productChanges,
          )} with product changes, ${fmt(s.plan.historyChanges)} with history changes`,
          ...(c["groups.from_first_change"]
            ? [`             ${fmt(c["groups.from_first_change"])} groups only gained history rows: read and sent from their first changed date, ${fmt(
                c["histories.not_resent"] ?? 0,
              )} unchanged v3 history rows and ${fmt(c["multimedia.not_resent"] ?? 0)} multimedia rows not sent again${
                c["groups.rescrapes_only"]
                  ? `; ${fmt(c["groups.rescrapes_only"])} of them only gained rows repeating the rows of their dates: those dates read (${fmt(
                      c["histories.unchanged"] ?? 0,
                    )} kept rows v3 holds already), nothing written`
                  : ""
              }`]
            : []),
        ]
      : []),
    // "migrated" counts products load-products committed (acknowledged with the commit), not what
    // the mapping meant to migrate: products of a failed entry are "failed", not "migrated".
    `  products   read ${fmt(c["extract.products"] ?? 0)}: migrated ${fmt(c["products.loaded"] ?? 0)}, excluded ${fmt(
      c["products.excluded"] ?? 0,
    )}, rejected ${fmt(sum(c, "products.rejected."))}${reasons(c, "products.rejected.")}${
      c["products.failed"] ? `, failed ${fmt(c["products.failed"])} (their entries were dead-lettered)` : ""
    }${c["products.kept_previous"] ? `; ${fmt(c["products.kept_previous"])} rejected now keep their earlier v3 version` : ""}`,
    `  histories  read ${fmt(c["extract.histories"] ?? 0)}: kept ${fmt(c["histories.kept"] ?? 0)}, filled ${fmt(
      c["histories.filled"] ?? 0,
    )}, dropped ${fmt(sum(c, "histories.dropped."))}${reasons(c, "histories.dropped.")}`,
    `  multimedia migrated ${fmt(c["multimedia.migrated"] ?? 0)}, dropped ${fmt(sum(c, "multimedia.dropped."))}${reasons(
      c,
      "multimedia.dropped.",
    )}, invalid galleries ${fmt(c["gallery.invalid"] ?? 0)}`,
    `  throughput ${
      Object.entries(s.progress)
        .map(([stage, n]) => `${stage} ${fmt(n / secs)} ${unitOf(stage)}/s`)
        .join(" · ") || "nothing to do"
    }`,
  ]
  if (c["groups.mapping_error"]) lines.push(`  mapping errors: ${fmt(c["groups.mapping_error"])} groups dead-lettered whole`)
  if (s.check) {
    const k = c["products.kept_previous"] ?? 0
    lines.push(
      s.check.ok
        ? `  v3 check   ${fmt(s.check.v3Products)} products of this run in v3 = ${fmt(s.check.accounted - k)} migrated + ${fmt(k)} kept`
        : `  v3 check   MISMATCH: v3 holds ${fmt(s.check.v3Products)} products of this run, the run accounts for ${fmt(s.check.accounted)}: run npm run verify -- --full`,
    )
  }
  lines.push(
    deadLetteredEntries > 0
      ? `  ${deadLetteredEntries} stream entries were dead-lettered after repeated failures: npm run dlq -- list`
      : "  no stream entry failed",
  )
  return lines.join("\n")
}

/**
 * What a stage's progress counts (its registry unit): extract, transform and load-products count
 * products; the child loaders count rows processed (written, or found unchanged by an incremental run).
 */
const unitOf = (stage: string): string => (isStage(stage) && stageSpec(stage).unit === "rows" ? "rows" : "products")
