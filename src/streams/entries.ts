/**
 * Redis stream replies as plain values: entries with their fields, flat field/value lists as
 * records, and stream ids compared and stepped as numbers.
 */

/** A stream entry with its fields as a plain record (all our fields are strings). */
export interface StreamEntry {
  readonly id: string
  /** null when the entry was deleted while it was still pending. */
  readonly fields: Record<string, string> | null
}

function toFields(raw: unknown): Record<string, string> | null {
  if (!Array.isArray(raw)) return null
  const fields: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) fields[String(raw[i])] = String(raw[i + 1])
  return fields
}

/** Parses the [[id, [field, value, ...]], ...] list XRANGE, XCLAIM and XAUTOCLAIM return. */
export function parseEntryList(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return []
  return raw.map((item) => {
    const [id, fields] = item as [unknown, unknown]
    return { id: String(id), fields: toFields(fields) }
  })
}

/**
 * Parses an XREADGROUP reply for one stream: RESP2 [[stream, entries]], or the flattened
 * RESP3 map [stream, entries]; null on timeout.
 */
export function parseReadReply(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return []
  const pair = (Array.isArray(raw[0]) ? raw[0] : raw) as [unknown, unknown]
  return parseEntryList(pair[1])
}

export function toArgs(fields: Record<string, string>): string[] {
  const args: string[] = []
  for (const [k, v] of Object.entries(fields)) args.push(k, v)
  return args
}

/** The smallest id greater than `id` ("ms-seq" form), for trimming everything up to and including it. */
export function nextId(id: string): string {
  const [ms, seq] = id.split("-")
  return `${ms}-${BigInt(seq ?? "0") + 1n}`
}

/** A flat [field, value, field, value, ...] reply (XINFO, HELLO) as a record. */
export function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1]
  return out
}

/** Orders two stream ids ("ms-seq") numerically. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map((x) => BigInt(x))
  const [bm, bs] = b.split("-").map((x) => BigInt(x))
  if (am !== bm) return am! < bm! ? -1 : 1
  if (as !== bs) return (as ?? 0n) < (bs ?? 0n) ? -1 : 1
  return 0
}
