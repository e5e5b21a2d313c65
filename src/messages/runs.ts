/**
 * Child rows of one product with consecutive keys, as [product id, first key, row count]. A
 * product's dates have no holes (gap filling) and its positions run 0…n−1, so an entry's
 * product_id and key columns are nearly always one run per product: sent as runs, they cost
 * bytes per product instead of per row (they were over a third of a histories entry).
 */
export type Run = [productId: string, start: string | number, length: number]

/** A child table's key within its product, and its ordinal (consecutive keys: consecutive ordinals). */
export interface RunKey {
  /** The key column: "date", "position". */
  readonly name: string
  ordinal(v: string | number): number
  /** The key of an ordinal (the inverse of ordinal). */
  at(n: number): string | number
  isKey(v: unknown): v is string | number
}

const DAY_MS = 86_400_000
const isoDate = /^\d{4}-\d{2}-\d{2}$/

/** A memo for the few thousand distinct dates of a run: Date parsing and formatting per row cost more than the rest of the encoding. */
function memo<K, V>(f: (k: K) => V): (k: K) => V {
  const seen = new Map<K, V>()
  return (k) => {
    let v = seen.get(k)
    if (v === undefined) {
      if (seen.size > 100_000) seen.clear()
      seen.set(k, (v = f(k)))
    }
    return v
  }
}

const dayOf = memo((v: string) => Date.parse(`${v}T00:00:00Z`) / DAY_MS)
const dateAt = memo((n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10))

/** Histories: one row a day, dates as 'YYYY-MM-DD'. */
export const dateKey: RunKey = {
  name: "date",
  ordinal: (v) => dayOf(String(v)),
  at: dateAt,
  isKey: (v): v is string => typeof v === "string" && isoDate.test(v) && Number.isInteger(dayOf(v)),
}

/** Multimedia: positions. */
export const positionKey: RunKey = {
  name: "position",
  ordinal: (v) => Number(v),
  at: (n) => n,
  isKey: (v): v is number => Number.isSafeInteger(v),
}

/** The runs of `rows` (in product, key order; any order stays correct, only longer). */
export function runsOf<T>(rows: readonly T[], productOf: (row: T) => string, keyOf: (row: T) => string | number, key: RunKey): Run[] {
  const runs: Run[] = []
  let last: Run | undefined
  let next = Number.NaN
  for (const row of rows) {
    const id = productOf(row)
    const k = keyOf(row)
    const o = key.ordinal(k)
    if (last !== undefined && last[0] === id && o === next) last[2]++
    else runs.push((last = [id, k, 1]))
    next = o + 1
  }
  return runs
}

/** How many rows each product has in `runs`. */
export function rowsPerRun(runs: readonly Run[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const [id, , length] of runs) counts.set(id, (counts.get(id) ?? 0) + length)
  return counts
}

export const isRun = (key: RunKey) => (v: unknown): v is Run =>
  Array.isArray(v) && v.length === 3 && typeof v[0] === "string" && key.isKey(v[1]) && Number.isSafeInteger(v[2]) && (v[2] as number) > 0
