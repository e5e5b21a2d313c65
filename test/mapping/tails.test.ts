import { describe, expect, it } from "vitest"
import { dateOfDay, dayNumber, mapHistories, tailBounds } from "../../src/mapping"
import { firstDateNotBefore } from "../../src/mapping/dates"
import type { HistorySeed, LegacyHistory, V3History } from "../../src/mapping"
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

/** A legacy row on day `day` in one of the accepted shapes, or a row whose date is invalid. */
function row(rand: () => number, n: number, day: number): LegacyHistory {
  const date = dateOfDay(day)
  const shape = rand()
  const text =
    shape < 0.04 ? "not a date"
    : shape < 0.08 ? `${date.slice(0, 8)}3${Math.floor(rand() * 10)}`
    : shape < 0.2 ? `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`
    : shape < 0.3 ? `${date}T10:00:00Z`
    : date
  // Billing with fractions no float adds exactly: the carried totals must be the very same sums.
  return legacyHistory({ uuid: uuid(n), date: text, sold_units: Math.floor(rand() * 5), stock: Math.floor(rand() * 50), sales_amount: rand() * 900 })
}

/** extract's historyDay (src/extract/sql.ts) in JavaScript; test/db/reads.test.ts checks the SQL against parseHistoryDay. */
const sqlDay = (d: string) => (d.length === 10 && d[2] === "/" && d[5] === "/" ? `${d.slice(6, 10)}-${d.slice(3, 5)}-${d.slice(0, 2)}` : d.slice(0, 10))

/** What extract sends and what v3 seeds, as an incremental run would, for rows `added` to `old`. */
function tailOf(old: LegacyHistory[], added: LegacyHistory[], v3: V3History[]) {
  const since = added.map((r) => sqlDay(r.date)).reduce<string | null>((m, d) => (m === null || d < m ? d : m), null)
  const cut = firstDateNotBefore(since)
  const sent = [...old, ...added].filter((r) => since !== null && sqlDay(r.date) >= since)
  const lastKept = v3.filter((r) => r.date < cut && !r.filled).at(-1)
  const upTo = lastKept === undefined ? [] : v3.filter((r) => r.date <= lastKept.date)
  const window = upTo.slice(-30)
  const seed: HistorySeed = {
    first: v3[0]?.date ?? null,
    last: lastKept === undefined ? null : {
      date: lastKept.date, stock: lastKept.stock, sale_price: lastKept.sale_price,
      total_sold_units: lastKept.total_sold_units, total_billing: lastKept.total_billing,
    },
    sold: window.map((r) => r.sold_units),
    billing: window.map((r) => r.billing),
  }
  return { cut, sent, seed, standing: upTo }
}

describe("an incremental run's history rows of a group that only gained rows", () => {
  it("mapped from the cut on, seeded from v3, complete v3 to what mapping every row gives (2,000 random cases)", () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const rand = prng(seed)
      let n = 0
      const old = Array.from({ length: Math.floor(rand() * 60) }, () => row(rand, ++n, base + Math.floor(rand() * 90)))
      // Added rows: re-scrapes of known days, rows inside gaps, past the end, before the start.
      const added = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => row(rand, ++n, base - 10 + Math.floor(rand() * 110)))
      const v3 = mapHistories(product, old).histories
      const full = mapHistories(product, [...old, ...added]).histories
      const t = tailOf(old, added, v3)
      const tail = mapHistories(product, t.sent, { ...t.seed, cut: t.cut }).histories
      expect([...t.standing, ...tail], `seed ${seed}`).toEqual(full)
      const { bounds, unchanged } = tailBounds(t.seed, tail)
      expect(bounds, `seed ${seed}`).toEqual(full.length === 0 ? null : [full[0]!.date, full.at(-1)!.date])
      expect(unchanged, `seed ${seed}`).toBe(t.standing.length)
    }
  })

  it("start at the day after the last kept row when a row is added past the last date, filling the gap", () => {
    const old = [legacyHistory({ uuid: uuid(1), date: "2024-03-01", sold_units: 2 }), legacyHistory({ uuid: uuid(2), date: "2024-03-03", sold_units: 1 })]
    const today = legacyHistory({ uuid: uuid(3), date: "2024-03-07", sold_units: 4 })
    const t = tailOf(old, [today], mapHistories(product, old).histories)
    expect(t.cut).toBe("2024-03-07")
    expect(t.sent).toEqual([today])
    const tail = mapHistories(product, t.sent, { ...t.seed, cut: t.cut }).histories
    expect(tail.map((r) => [r.date, r.filled, r.total_sold_units])).toEqual([
      ["2024-03-04", true, 3], ["2024-03-05", true, 3], ["2024-03-06", true, 3], ["2024-03-07", false, 7],
    ])
  })

  it("change nothing when no added row has a valid date, and read only from the first valid date after an invalid one", () => {
    const old = [legacyHistory({ uuid: uuid(1), date: "2024-03-01" }), legacyHistory({ uuid: uuid(2), date: "2024-03-02" })]
    const v3 = mapHistories(product, old).histories
    const garbage = legacyHistory({ uuid: uuid(3), date: "garbage" })
    const t = tailOf(old, [garbage], v3)
    expect(t.cut).toBe("2100-01-01")
    expect(mapHistories(product, t.sent, { ...t.seed, cut: t.cut }).histories).toEqual([])
    expect(tailBounds(t.seed, []).bounds).toEqual(["2024-03-01", "2024-03-02"])
    expect(firstDateNotBefore("2024-02-31")).toBe("2024-03-01")
    expect(firstDateNotBefore("2024-1")).toBe("2024-10-01")
    expect(firstDateNotBefore("1999-05-05")).toBe("2015-01-01")
  })

  it("refuse a sent row dated before the cut", () => {
    const seed: HistorySeed = { first: "2024-03-01", last: null, sold: [], billing: [] }
    expect(() => mapHistories(product, [legacyHistory({ uuid: uuid(1), date: "2024-03-01" })], { ...seed, cut: "2024-03-02" })).toThrow(/precedes/)
  })
})
