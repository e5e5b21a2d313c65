import type { Row, V3Tables } from "./expected"

export interface Difference {
  table: string
  id: string
  issue: string
}

/** The first differences between two dumps of the contract's tables, keyed by row id. */
export function diffTables(actual: V3Tables, expected: V3Tables, limit = 10): Difference[] {
  const out: Difference[] = []
  for (const table of Object.keys(expected) as (keyof V3Tables)[]) {
    const want = new Map(expected[table].map((r) => [String(r["id"]), r]))
    const have = new Map(actual[table].map((r) => [String(r["id"]), r]))
    for (const [id, row] of want) {
      const got = have.get(id)
      if (!got) out.push({ table, id, issue: "missing in v3" })
      else {
        for (const col of Object.keys(row)) {
          if (!Object.is(normalize(got[col]), normalize(row[col]))) {
            out.push({ table, id, issue: `${col}: expected ${JSON.stringify(row[col])}, got ${JSON.stringify(got[col])}` })
          }
        }
      }
      if (out.length >= limit) return out
    }
    for (const id of have.keys()) {
      if (!want.has(id)) out.push({ table, id, issue: "unexpected row in v3" })
      if (out.length >= limit) return out
    }
  }
  return out
}

// -0 and 0 are the same value in PostgreSQL and in JSON.
const normalize = (v: unknown) => (v === 0 ? 0 : v)

export type { Row }
