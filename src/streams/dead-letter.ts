import type { ChainableCommander, Redis } from "ioredis"
import { parseEntryList, type StreamEntry, toArgs } from "./entries"
import type { Stage, StreamKeys } from "./keys"

/**
 * A dead letter: either a whole stream entry a stage could not process (kind "entry", its
 * fields kept so it can be re-published), or legacy rows the mapping rejected or dropped
 * (kind "rows", with the group keys they came from so they can be re-extracted).
 */
export interface DeadLetter {
  stage: Stage
  reason: string
  /** What the rows are: product, history, gallery_item, gallery, group; "entry" for a whole entry. */
  entity: string
  run: string
  kind: "entry" | "rows"
  /** Rows this letter stands for (1 for an entry). */
  count: number
  /** JSON: the entry's fields, or { keys, rows }. */
  payload: string
  error?: string
  sourceStream?: string
  sourceId?: string
  deliveries?: number
}

export interface StoredDeadLetter extends DeadLetter {
  id: string
  time: string
}

export function addDeadLetter(tx: ChainableCommander, keys: StreamKeys, letter: DeadLetter): void {
  const fields: Record<string, string> = {
    stage: letter.stage,
    reason: letter.reason,
    entity: letter.entity,
    run: letter.run,
    kind: letter.kind,
    count: String(letter.count),
    time: new Date().toISOString(),
    payload: letter.payload,
  }
  if (letter.error !== undefined) fields["error"] = letter.error
  if (letter.sourceStream !== undefined) fields["source_stream"] = letter.sourceStream
  if (letter.sourceId !== undefined) fields["source_id"] = letter.sourceId
  if (letter.deliveries !== undefined) fields["deliveries"] = String(letter.deliveries)
  tx.xadd(keys.dlq, "*", ...toArgs(fields))
  tx.hincrby(keys.dlqCounts, dlqCountField(letter), letter.count)
  // A whole entry failing is not a data outcome but a failure of the run: counted as such.
  if (letter.kind === "entry" && letter.run) tx.hincrby(keys.counts(letter.run), "dlq.entries", 1)
}

export const dlqCountField = (l: { stage: string; entity: string; reason: string }): string =>
  `${l.stage}|${l.entity}|${l.reason}`

export function decodeDeadLetter(entry: StreamEntry): StoredDeadLetter | undefined {
  const f = entry.fields
  if (!f || !f["stage"] || !f["reason"]) return undefined
  return {
    id: entry.id,
    stage: f["stage"] as Stage,
    reason: f["reason"],
    entity: f["entity"] ?? "entry",
    run: f["run"] ?? "",
    kind: f["kind"] === "entry" ? "entry" : "rows",
    count: Number(f["count"] ?? 1),
    payload: f["payload"] ?? "null",
    time: f["time"] ?? "",
    ...(f["error"] !== undefined ? { error: f["error"] } : {}),
    ...(f["source_stream"] !== undefined ? { sourceStream: f["source_stream"] } : {}),
    ...(f["source_id"] !== undefined ? { sourceId: f["source_id"] } : {}),
    ...(f["deliveries"] !== undefined ? { deliveries: Number(f["deliveries"]) } : {}),
  }
}

/** Reads dead letters oldest first, a page at a time, optionally filtered by stage and reason. */
export async function* readDeadLetters(
  client: Redis,
  keys: StreamKeys,
  filter: { stage?: string; reason?: string; entity?: string } = {},
  pageSize = 500,
): AsyncGenerator<StoredDeadLetter> {
  let start = "-"
  for (;;) {
    const page = parseEntryList(await client.xrange(keys.dlq, start, "+", "COUNT", pageSize))
    for (const entry of page) {
      const letter = decodeDeadLetter(entry)
      if (!letter) continue
      if (filter.stage && letter.stage !== filter.stage) continue
      if (filter.reason && letter.reason !== filter.reason) continue
      if (filter.entity && letter.entity !== filter.entity) continue
      yield letter
    }
    if (page.length < pageSize) return
    start = `(${page[page.length - 1]!.id}`
  }
}
