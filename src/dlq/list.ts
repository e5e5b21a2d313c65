import type { Redis } from "ioredis"
import { fmt, preview, table } from "../cli/table"
import type { StoredDeadLetter } from "../messages/dead-letter"
import type { StreamKeys } from "../streams/keys"
import { type LetterFilter, selectLetters } from "./select"

/** One letter as `dlq list --json` prints it (docs/OPERATIONS.md). */
export interface LetterView {
  id: string
  time: string
  stage: string
  entity: string
  reason: string
  kind: "entry" | "rows"
  run: string
  count: number
  error: string | null
  source: { stream: string; id: string | null } | null
  deliveries: number | null
  /** Rows letters: the legacy group keys (external ids) the rows came from. */
  keys: string[] | null
  preview: string
  payload?: unknown
}

function parsePayload(l: StoredDeadLetter): unknown {
  try {
    return JSON.parse(l.payload) as unknown
  } catch {
    return l.payload
  }
}

/** A short look at the payload: a rows letter's keys and first row, an entry's field names. */
function payloadPreview(l: StoredDeadLetter, payload: unknown): string {
  if (l.kind === "rows" && payload && typeof payload === "object") {
    const p = payload as { keys?: string[]; rows?: unknown[] }
    const keys = p.keys ?? []
    const more = keys.length > 3 ? ` (+${keys.length - 3})` : ""
    return preview(`keys ${keys.slice(0, 3).join(", ")}${more}; ${JSON.stringify(p.rows?.[0] ?? null)}`, 80)
  }
  if (payload && typeof payload === "object") return preview(`fields ${Object.keys(payload).join(", ")}`, 80)
  return preview(payload, 80)
}

export function letterView(l: StoredDeadLetter, withPayload: boolean): LetterView {
  const payload = parsePayload(l)
  const keys = l.kind === "rows" ? ((payload as { keys?: string[] } | null)?.keys ?? []) : null
  return {
    id: l.id,
    time: l.time,
    stage: l.stage,
    entity: l.entity,
    reason: l.reason,
    kind: l.kind,
    run: l.run,
    count: l.count,
    error: l.error ?? null,
    source: l.sourceStream ? { stream: l.sourceStream, id: l.sourceId ?? null } : null,
    deliveries: l.deliveries ?? null,
    keys,
    preview: payloadPreview(l, payload),
    ...(withPayload ? { payload } : {}),
  }
}

/** The first `limit` matching letters and how many match in all (counted through the whole stream). */
export async function listLetters(client: Redis, keys: StreamKeys, f: LetterFilter, limit: number, withPayload: boolean) {
  const letters: LetterView[] = []
  let matched = 0
  for await (const l of selectLetters(client, keys, f)) {
    matched += 1
    if (letters.length < limit) letters.push(letterView(l, withPayload))
  }
  return { letters, matched }
}

export function renderList(r: { letters: LetterView[]; matched: number }): string {
  if (r.matched === 0) return "no dead letters match"
  const rows = r.letters.map((l) => [
    l.id,
    l.time.replace("T", " ").slice(0, 19),
    l.stage,
    l.entity,
    l.reason,
    fmt(l.count),
    preview(l.error ?? "-", 40),
    l.source ? `${l.source.stream.replace(/^\{[^}]*\}:stream:/, "")} ${l.source.id ?? ""}`.trim() : "-",
    l.preview,
  ])
  const head = table(["id", "time", "stage", "entity", "reason", "count", "error", "source", "payload"], rows, [
    "left", "left", "left", "left", "left", "right",
  ])
  const tail = r.matched > r.letters.length ? [`showing ${fmt(r.letters.length)} of ${fmt(r.matched)} matching letters (--limit N for more)`] : []
  return [...head, ...tail].join("\n")
}
