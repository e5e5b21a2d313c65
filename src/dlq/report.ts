import { fmt } from "../cli/table"
import type { RetryResult } from "./retry"

/** What `dlq retry` prints: what went back where, and that the stages must run to process it. */
export function renderRetry(r: RetryResult): string {
  if (r.retried.length === 0 && r.skipped.length === 0) return "no dead letters match: nothing re-published"
  const lines: string[] = []
  const entries = r.retried.filter((l) => l.kind === "entry")
  const rows = r.retried.filter((l) => l.kind === "rows")
  for (const l of entries) lines.push(`re-published entry letter ${l.id} (${l.stage}, ${l.reason}) to ${l.stream}`)
  if (rows.length > 0) {
    const keys = [...new Set(rows.flatMap((l) => l.keys ?? []))]
    const shown = keys.slice(0, 10).join(", ") + (keys.length > 10 ? `, … (${keys.length} in all)` : "")
    lines.push(
      `re-extracted ${fmt(r.groupsReextracted)} groups fresh from the legacy database for ${fmt(rows.length)} rows letters into ${rows[0]!.stream} (run ${r.run}): ${shown}`,
    )
  }
  for (const s of r.skipped) lines.push(`skipped ${s.id}: ${s.why}`)
  if (r.retried.length > 0) {
    lines.push(
      `deleted ${fmt(r.retried.length)} dead letters. Now run \`npm run migrate\`: it resumes the current run or starts one, and its stages process what was re-published.`,
    )
  }
  return lines.join("\n")
}
