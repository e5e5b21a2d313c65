/**
 * A legacy jsonb value as read (MAPPING.md categories, provider, gallery): either the JSON value
 * itself, or a JSON string holding it (double-encoded, one level), or a string that is not JSON.
 */
export type JsonbRead = { ok: true; value: unknown } | { ok: false; text: string }

/** Reads a jsonb column that may be double-encoded ONE level; a string that does not parse is unparsable. */
export function readJsonb(raw: unknown): JsonbRead {
  if (typeof raw !== "string") return { ok: true, value: raw }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown }
  } catch {
    return { ok: false, text: raw }
  }
}

/** A JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

/** The value of `key` unless it is missing or null, else the value of `fallback` (MAPPING.md Provider). */
export function fieldOr(obj: Record<string, unknown>, key: string, fallback: string): unknown {
  const value = ownField(obj, key)
  return value === undefined || value === null ? ownField(obj, fallback) : value
}

/** An own property only, so names such as "constructor" never read the prototype. */
export function ownField(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined
}
