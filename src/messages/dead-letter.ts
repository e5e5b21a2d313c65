import { deflateRawSync, inflateRawSync } from "node:zlib"
import type { Stage } from "../pipeline/stages"
import type { Fields } from "./fields"

/**
 * A dead-letter stream entry: either a whole stream entry a stage could not process (kind
 * "entry", its fields kept so `dlq retry` can re-publish it), or legacy rows the mapping
 * rejected or dropped, or the database refused (kind "rows", with the group keys they came from
 * so they can be re-extracted). Produced by every consumer stage, read by status and dlq.
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

/**
 * Payloads beyond this many characters are stored deflated (field payload_z, base64): the
 * dead-letter stream keeps every rejected and dropped legacy row, so it grows with the catalog,
 * and raw JSON rows would make it the bulk of Redis's memory (365 MB at 400k products). Level 6,
 * not 1: on 400 letters of the 1.6M bench it leaves 17 % of the JSON instead of 27 % (the
 * stream held 389 MB of Redis's 521 MB peak there), at 118 MB/s instead of 238 under Bun, about
 * a second of transform's CPU per 400k products.
 */
const DEFLATE_OVER = 256
const DEFLATE_LEVEL = 6

export function encodeDeadLetter(letter: DeadLetter, time = new Date()): Record<string, string> {
  const fields: Record<string, string> = {
    stage: letter.stage,
    reason: letter.reason,
    entity: letter.entity,
    run: letter.run,
    kind: letter.kind,
    count: String(letter.count),
    time: time.toISOString(),
  }
  if (letter.payload.length > DEFLATE_OVER) fields["payload_z"] = deflateRawSync(letter.payload, { level: DEFLATE_LEVEL }).toString("base64")
  else fields["payload"] = letter.payload
  if (letter.error !== undefined) fields["error"] = letter.error
  if (letter.sourceStream !== undefined) fields["source_stream"] = letter.sourceStream
  if (letter.sourceId !== undefined) fields["source_id"] = letter.sourceId
  if (letter.deliveries !== undefined) fields["deliveries"] = String(letter.deliveries)
  return fields
}

/** A stored letter, or undefined for an entry that is not one (it is skipped, not fatal: the stream is a record). */
export function decodeDeadLetter(id: string, f: Fields | null): StoredDeadLetter | undefined {
  if (!f || !f["stage"] || !f["reason"]) return undefined
  return {
    id,
    stage: f["stage"] as Stage,
    reason: f["reason"],
    entity: f["entity"] ?? "entry",
    run: f["run"] ?? "",
    kind: f["kind"] === "entry" ? "entry" : "rows",
    count: Number(f["count"] ?? 1),
    payload: f["payload_z"] !== undefined ? inflateRawSync(Buffer.from(f["payload_z"], "base64")).toString("utf8") : (f["payload"] ?? "null"),
    time: f["time"] ?? "",
    ...(f["error"] !== undefined ? { error: f["error"] } : {}),
    ...(f["source_stream"] !== undefined ? { sourceStream: f["source_stream"] } : {}),
    ...(f["source_id"] !== undefined ? { sourceId: f["source_id"] } : {}),
    ...(f["deliveries"] !== undefined ? { deliveries: Number(f["deliveries"]) } : {}),
  }
}

/** The dlq counter field of a letter: rows dead-lettered by stage, entity and reason. */
export const dlqCountField = (l: { stage: string; entity: string; reason: string }): string => `${l.stage}|${l.entity}|${l.reason}`
