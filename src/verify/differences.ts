/** A way v3 differs from what the contract produces from the legacy rows. */
export type Problem = "missing" | "extra" | "field"

export interface Difference {
  table: string
  /** The row's primary key in v3 (for a missing row, the id it should have). */
  id: string
  /** The differing column; null when the whole row is missing or extra. */
  column: string | null
  expected: unknown
  actual: unknown
  problem: Problem
  /** Why a missing or extra row is one, in a few words. */
  note?: string
}

export interface Column<T> {
  name: string
  get: (row: T) => unknown
}

/**
 * Differences found so far: every one counted by table and problem, the first `limit` kept in
 * the order found. One instance per batch, merged in key order, so the first ones shown are the
 * first in the legacy key order whatever the concurrency.
 */
export class Differences {
  total = 0
  readonly byTable: Record<string, Record<Problem, number>> = {}
  readonly first: Difference[] = []

  constructor(readonly limit: number) {}

  add(d: Difference): void {
    this.total += 1
    const t = (this.byTable[d.table] ??= { missing: 0, extra: 0, field: 0 })
    t[d.problem] += 1
    if (this.first.length < this.limit) this.first.push(d)
  }

  missing(table: string, id: string, note?: string): void {
    this.add({ table, id, column: null, expected: "row", actual: null, problem: "missing", ...(note ? { note } : {}) })
  }

  extra(table: string, id: string, note: string): void {
    this.add({ table, id, column: null, expected: null, actual: "row", problem: "extra", note })
  }

  /** Compares a row column by column; `actual` as read from v3 (dates and enums as text). */
  compare<T>(table: string, id: string, columns: readonly Column<T>[], expected: T, actual: Record<string, unknown>): void {
    for (const c of columns) {
      const e = c.get(expected)
      const a = actual[c.name]
      if (e !== a) this.add({ table, id, column: c.name, expected: e, actual: a, problem: "field" })
    }
  }

  merge(other: Differences): void {
    for (const [table, counts] of Object.entries(other.byTable)) {
      const t = (this.byTable[table] ??= { missing: 0, extra: 0, field: 0 })
      t.missing += counts.missing
      t.extra += counts.extra
      t.field += counts.field
    }
    this.total += other.total
    for (const d of other.first) if (this.first.length < this.limit) this.first.push(d)
  }
}
