/**
 * Checked reading of stream entry fields, shared by every message module: a field that is
 * missing or does not have the shape its message declares raises MalformedMessageError, which
 * the consumers dead-letter at once (a malformed entry never heals by redelivery).
 */
export class MalformedMessageError extends Error {
  override readonly name = "MalformedMessageError"
}

export type Fields = Readonly<Record<string, string>>

export function text(f: Fields, name: string, what: string): string {
  const v = f[name]
  if (v === undefined) throw new MalformedMessageError(`${what} entry has no '${name}' field`)
  return v
}

export function optionalText(f: Fields, name: string): string | undefined {
  return f[name]
}

/** A whole number, at least `min`; `fallback` when the field is absent. */
export function integer(f: Fields, name: string, what: string, fallback?: number, min = 0): number {
  const v = f[name]
  if (v === undefined) {
    if (fallback !== undefined) return fallback
    throw new MalformedMessageError(`${what} entry has no '${name}' field`)
  }
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min) throw new MalformedMessageError(`${what} entry field '${name}' is not a whole number >= ${min}`)
  return n
}

/** Parses a JSON field and checks its shape with `guard`. */
export function json<T>(f: Fields, name: string, what: string, guard: (v: unknown) => v is T, shape: string): T {
  const raw = text(f, name, what)
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new MalformedMessageError(`${what} entry field '${name}' is not valid JSON`)
  }
  if (!guard(value)) throw new MalformedMessageError(`${what} entry field '${name}' is not ${shape}`)
  return value
}

export const isString = (v: unknown): v is string => typeof v === "string"
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
export const isArrayOf =
  <T>(item: (v: unknown) => v is T) =>
  (v: unknown): v is T[] =>
    Array.isArray(v) && v.every(item)
export const isRecordOf =
  <T>(item: (v: unknown) => v is T) =>
  (v: unknown): v is Record<string, T> =>
    isRecord(v) && Object.values(v).every(item)
export const isStringArray = isArrayOf(isString)

/** The run an entry belongs to: every message carries it, and TEST_MODE runs mark theirs. */
export interface RunTag {
  run: string
  test: boolean
  /**
   * Published by `dlq retry`: an entry re-published, whose rows were read from the legacy
   * database when it first ran, maybe runs ago, or groups re-extracted into a run that may have
   * finished; the loaders record no signature a later plan would trust (src/load/group-state.ts
   * RETRIED_SIG). Carried on to what transform makes of it.
   */
  retried?: boolean
}

export function runTag(f: Fields, what: string): RunTag {
  return { run: text(f, "run", what), test: f["test"] === "1", ...(f["retried"] === "1" ? { retried: true } : {}) }
}

export function runFields(tag: RunTag): Record<string, string> {
  return { run: tag.run, ...(tag.test ? { test: "1" } : {}), ...(tag.retried ? { retried: "1" } : {}) }
}
