import { describe, expect, it } from "vitest"
import { dateOfDay, dayNumber, mapHistories } from "../../src/mapping"
import { earliestAddedDate, firstChangedRow } from "../../src/mapping/histories"
import type { LegacyHistory } from "../../src/mapping"
import { legacyHistory, uuid } from "./support"

const product = { id: "p1", suggested_price: 2000 }

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed by its seed. */
function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const base = dayNumber("2024-03-01")

/** A legacy row on day `day` (either date format), or a row whose date is invalid. */
function row(rand: () => number, n: number, day: number): LegacyHistory {
  const date = dateOfDay(day)
  const shape = rand()
  const text = shape < 0.05 ? "not a date" : shape < 0.2 ? `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}` : date
  return legacyHistory({ uuid: uuid(n), date: text, sold_units: Math.floor(rand() * 5), stock: Math.floor(rand() * 50), sales_amount: Math.floor(rand() * 900) / 4 })
}

describe("an incremental run's history rows of a group that only gained rows", () => {
  it("are unchanged before the first row the added rows can change, whatever was added where (1,000 random cases)", () => {
    for (let seed = 1; seed <= 1000; seed++) {
      const rand = prng(seed)
      let n = 0
      const old = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => row(rand, ++n, base + Math.floor(rand() * 60)))
      // Added rows: re-scrapes of known days, rows inside gaps, past the end, before the start.
      const added = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => row(rand, ++n, base - 10 + Math.floor(rand() * 90)))
      const before = mapHistories(product, old).histories
      const after = mapHistories(product, [...old, ...added]).histories
      const first = firstChangedRow(after, earliestAddedDate(added, new Set(added.map((r) => r.uuid))))
      const byDate = new Map(before.map((r) => [r.date, r]))
      for (const r of after.slice(0, first)) expect(byDate.get(r.date), `seed ${seed}, ${r.date}`).toEqual(r)
    }
  })

  it("start at the filled rows a row added past the last date creates, not at the added date", () => {
    const old = [legacyHistory({ uuid: uuid(1), date: "2024-03-01" }), legacyHistory({ uuid: uuid(2), date: "2024-03-03" })]
    const today = legacyHistory({ uuid: uuid(3), date: "2024-03-07" })
    const after = mapHistories(product, [...old, today]).histories
    const first = firstChangedRow(after, earliestAddedDate([today], new Set([today.uuid])))
    expect(after.slice(first).map((r) => [r.date, r.filled])).toEqual([
      ["2024-03-04", true], ["2024-03-05", true], ["2024-03-06", true], ["2024-03-07", false],
    ])
  })

  it("start nowhere when no added row has a valid date, and at the first row when one precedes them all", () => {
    const old = [legacyHistory({ uuid: uuid(1), date: "2024-03-01" }), legacyHistory({ uuid: uuid(2), date: "2024-03-02" })]
    const rows = mapHistories(product, old).histories
    const invalid = legacyHistory({ uuid: uuid(3), date: "31/02/2024" })
    expect(firstChangedRow(rows, earliestAddedDate([invalid], new Set([invalid.uuid])))).toBe(rows.length)
    const earlier = legacyHistory({ uuid: uuid(4), date: "2024-02-20" })
    expect(firstChangedRow(mapHistories(product, [...old, earlier]).histories, earliestAddedDate([earlier], new Set([earlier.uuid])))).toBe(0)
  })
})
