import { describe, expect, it } from "vitest"
import { dateOfDay, dayNumber, mapHistories } from "../../src/mapping"
import type { LegacyHistory, V3History } from "../../src/mapping"
import { legacyHistory, uuid } from "./support"

const product = { id: "p", suggested_price: 2500 }
const row = (n: number, overrides: Partial<LegacyHistory>): LegacyHistory => legacyHistory({ uuid: uuid(n), ...overrides })
const byDate = (histories: V3History[]) => new Map(histories.map((h) => [h.date, h]))

describe("MAPPING.md Histories rule 1: invalid dates are dropped", () => {
  it.each([["2024-02-30"], ["2014-12-31"], ["garbage"], [" 2024-01-01"], ["13/13/2024"]])(
    "drops the row dated %j with invalid_date",
    (date) => {
      const bad = row(1, { date })
      const result = mapHistories(product, [bad, row(2, { date: "2024-01-01" })])
      expect(result.dropped).toEqual([{ row: bad, reason: "invalid_date" }])
      expect(result.histories.map((h) => h.date)).toEqual(["2024-01-01"])
    },
  )

  it("reads the three accepted formats onto one date", () => {
    const result = mapHistories(product, [
      row(1, { date: "2024-01-01", sold_units: 1 }),
      row(2, { date: "2024-01-01T12:00:00Z", sold_units: 2 }),
      row(3, { date: "01/01/2024", sold_units: 3 }),
    ])
    expect(result.histories.map((h) => [h.date, h.sold_units])).toEqual([["2024-01-01", 3]])
    expect(result.dropped.map((d) => d.reason)).toEqual(["duplicate", "duplicate"])
  })
})

describe("MAPPING.md Histories rule 2: one row per date (re-scrapes)", () => {
  it.each([
    ["the greatest sold_units", { sold_units: 5, stock: 1 }, { sold_units: 4, stock: 100 }],
    ["the greatest sold_units after rule 3 (NaN counts as 0)", { sold_units: 0.5, stock: 1 }, { sold_units: "NaN", stock: 100 }],
    ["the greatest stock on equal sold_units", { sold_units: 2, stock: 9 }, { sold_units: 2, stock: 8 }],
    ["the greatest stock after rule 3 (negative counts as 0)", { sold_units: 2, stock: 0.1 }, { sold_units: 2, stock: -50 }],
    ["the greatest uuid on equal sold_units and stock", { uuid: "b0000000-0000-4000-8000-000000000000" }, { uuid: "a0000000-0000-4000-8000-000000000000" }],
    ["the greatest lower-cased uuid", { uuid: "b0000000-0000-4000-8000-000000000000" }, { uuid: "A0000000-0000-4000-8000-000000000000" }],
    ["the greatest uuid when both figures are bad (0 after rule 3)", { uuid: "c0000000-0000-4000-8000-000000000000", sold_units: "NaN", stock: "-Infinity" }, { uuid: "b0000000-0000-4000-8000-000000000000", sold_units: -1, stock: 0 }],
  ])("keeps %s, dropping the other as duplicate", (_label, winner, loser) => {
    const w = row(1, { date: "2024-01-01", ...winner })
    const l = row(2, { date: "2024-01-01", ...loser })
    for (const rows of [
      [w, l],
      [l, w],
    ]) {
      const result = mapHistories(product, rows)
      expect(result.histories).toHaveLength(1)
      expect(result.histories[0]?.stock).toBe(mapHistories(product, [w]).histories[0]?.stock)
      expect(result.histories[0]?.sold_units).toBe(mapHistories(product, [w]).histories[0]?.sold_units)
      expect(result.dropped).toEqual([{ row: l, reason: "duplicate" }])
      expect(result.kept).toBe(1)
    }
  })
})

describe("MAPPING.md Histories rule 3: values", () => {
  it("copies stock, sold_units, sale_price and billing, bad numbers → 0, suggested_price from the product", () => {
    const result = mapHistories(product, [
      row(1, { date: "2024-01-01", stock: 7, sold_units: 2, sale_price: 990.5, sales_amount: 1981, stock_adjustment: true, stock_adjustment_reason: "  recount  " }),
      row(2, { date: "2024-01-02", stock: "NaN", sold_units: -1, sale_price: "Infinity", sales_amount: "-Infinity", stock_adjustment: null, stock_adjustment_reason: "   " }),
      row(3, { date: "2024-01-03", stock: -2, sold_units: "Infinity", sale_price: -5, sales_amount: "NaN", stock_adjustment: false, stock_adjustment_reason: null }),
    ])
    expect(result.histories.map(({ date, stock, sold_units, sale_price, billing, suggested_price, stock_adjustment, stock_adjustment_reason, filled }) => ({ date, stock, sold_units, sale_price, billing, suggested_price, stock_adjustment, stock_adjustment_reason, filled }))).toEqual([
      { date: "2024-01-01", stock: 7, sold_units: 2, sale_price: 990.5, billing: 1981, suggested_price: 2500, stock_adjustment: true, stock_adjustment_reason: "recount", filled: false },
      { date: "2024-01-02", stock: 0, sold_units: 0, sale_price: 0, billing: 0, suggested_price: 2500, stock_adjustment: false, stock_adjustment_reason: null, filled: false },
      { date: "2024-01-03", stock: 0, sold_units: 0, sale_price: 0, billing: 0, suggested_price: 2500, stock_adjustment: false, stock_adjustment_reason: null, filled: false },
    ])
  })

  it("gives each row the id product:date", () => {
    expect(mapHistories(product, [row(1, { date: "05/02/2024" })]).histories[0]?.id).toBe("p:2024-02-05")
  })
})

describe("MAPPING.md Histories rule 4: gap filling", () => {
  it("fills each date strictly between two kept dates from the previous kept date", () => {
    const result = mapHistories(product, [
      row(1, { date: "2024-01-01", stock: 10, sale_price: 100, sold_units: 3, sales_amount: 300, stock_adjustment: true, stock_adjustment_reason: "x" }),
      row(2, { date: "2024-01-04", stock: 8, sale_price: 110, sold_units: 1, sales_amount: 110 }),
    ])
    const filledRow = (date: string) => ({
      id: `p:${date}`,
      product_id: "p",
      date,
      stock: 10,
      sale_price: 100,
      suggested_price: 2500,
      sold_units: 0,
      billing: 0,
      sold_units_last_7_days: 3,
      sold_units_last_30_days: 3,
      total_sold_units: 3,
      billing_last_7_days: 300,
      billing_last_30_days: 300,
      total_billing: 300,
      stock_adjustment: false,
      stock_adjustment_reason: null,
      filled: true,
    })
    expect(result.histories.map((h) => h.date)).toEqual(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"])
    expect(result.histories[1]).toEqual(filledRow("2024-01-02"))
    expect(result.histories[2]).toEqual(filledRow("2024-01-03"))
    expect(result.kept).toBe(2)
    expect(result.filled).toBe(2)
  })

  it("fills across a month end and a leap day, and nothing before the first or after the last kept date", () => {
    const result = mapHistories(product, [row(1, { date: "2024-02-27" }), row(2, { date: "2024-03-02" })])
    expect(result.histories.map((h) => [h.date, h.filled])).toEqual([
      ["2024-02-27", false],
      ["2024-02-28", true],
      ["2024-02-29", true],
      ["2024-03-01", true],
      ["2024-03-02", false],
    ])
  })

  it("fills nothing between consecutive dates, and a single row stays alone", () => {
    expect(mapHistories(product, [row(1, { date: "2024-01-01" }), row(2, { date: "2024-01-02" })]).filled).toBe(0)
    expect(mapHistories(product, [row(1, { date: "2024-01-01" })]).histories).toHaveLength(1)
    expect(mapHistories(product, []).histories).toEqual([])
  })

  it("fills from the kept row of a re-scraped date, not the dropped one", () => {
    const result = mapHistories(product, [
      row(1, { date: "2024-01-01", stock: 50, sold_units: 1 }),
      row(2, { date: "2024-01-01", stock: 40, sold_units: 2 }),
      row(3, { date: "2024-01-03", stock: 30 }),
    ])
    expect(byDate(result.histories).get("2024-01-02")?.stock).toBe(40)
  })
})

describe("MAPPING.md Histories rule 5: rolling figures", () => {
  // 40 consecutive days; sold_units on day i (0-based) is i + 1, billing ten times that.
  const first = dayNumber("2024-01-01")
  const rows = Array.from({ length: 40 }, (_, i) =>
    row(i + 1, { date: dateOfDay(first + i), sold_units: i + 1, sales_amount: (i + 1) * 10 }),
  )
  const result = byDate(mapHistories(product, rows).histories)

  it.each([
    // date, last 7, last 30, total (of sold_units); sums written out by hand.
    ["2024-01-01", 1, 1, 1],
    ["2024-01-07", 28, 28, 28], // 1+…+7
    ["2024-01-08", 35, 36, 36], // 2+…+8
    ["2024-01-10", 49, 55, 55], // 4+…+10
    ["2024-01-30", 189, 465, 465], // 24+…+30, 1+…+30
    ["2024-01-31", 196, 495, 496], // 25+…+31, 2+…+31
    ["2024-02-09", 259, 765, 820], // 34+…+40, 11+…+40, 1+…+40
  ])("on %s sums sold_units over D−6…D = %d, D−29…D = %d, all dates ≤ D = %d; billing likewise", (date, last7, last30, total) => {
    expect(result.get(date)).toMatchObject({
      sold_units_last_7_days: last7,
      sold_units_last_30_days: last30,
      total_sold_units: total,
      billing_last_7_days: last7 * 10,
      billing_last_30_days: last30 * 10,
      total_billing: total * 10,
    })
  })

  it("uses calendar windows: a filled gap counts as zero days, older rows leave the window", () => {
    const histories = byDate(
      mapHistories(product, [
        row(1, { date: "2024-01-01", sold_units: 5, sales_amount: 50 }),
        row(2, { date: "2024-01-10", sold_units: 3, sales_amount: 30 }),
        row(3, { date: "2024-02-05", sold_units: 2, sales_amount: 20 }),
      ]).histories,
    )
    expect(histories.get("2024-01-07")).toMatchObject({ sold_units_last_7_days: 5, sold_units_last_30_days: 5, total_sold_units: 5 })
    expect(histories.get("2024-01-08")).toMatchObject({ sold_units_last_7_days: 0, sold_units_last_30_days: 5, total_sold_units: 5 })
    expect(histories.get("2024-01-10")).toMatchObject({ sold_units_last_7_days: 3, sold_units_last_30_days: 8, billing_last_30_days: 80 })
    expect(histories.get("2024-01-30")).toMatchObject({ sold_units_last_30_days: 8 })
    expect(histories.get("2024-01-31")).toMatchObject({ sold_units_last_30_days: 3, total_sold_units: 8 })
    expect(histories.get("2024-02-05")).toMatchObject({ sold_units_last_7_days: 2, sold_units_last_30_days: 5, total_sold_units: 10, total_billing: 100 })
  })

  it("sums each window directly in ascending date order from 0, as PostgreSQL's window sum does", () => {
    const values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    const histories = mapHistories(
      product,
      values.map((v, i) => row(i + 1, { date: dateOfDay(first + i), sold_units: v, sales_amount: v })),
    ).histories
    const last = histories[7]
    // Written out: the window D−6…D of the 8th day starts at 0.2.
    expect(last?.sold_units_last_7_days).toBe(0 + 0.2 + 0.3 + 0.4 + 0.5 + 0.6 + 0.7 + 0.8)
    expect(last?.sold_units_last_30_days).toBe(0 + 0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.6 + 0.7 + 0.8)
    expect(last?.total_billing).toBe(0 + 0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.6 + 0.7 + 0.8)
    // A sliding add/subtract would give a different double here.
    expect(last?.sold_units_last_7_days).not.toBe(0 + 0.1 + 0.2 + 0.3 + 0.4 + 0.5 + 0.6 + 0.7 + 0.8 - 0.1)
  })
})
