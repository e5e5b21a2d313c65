import { describe, expect, it } from "vitest"
import type { RunSummary } from "../../src/run/complete"
import { duration, formatSummary } from "../../src/run/summary"

const run = (over: Partial<RunSummary>): RunSummary => ({
  id: "r1",
  kind: "full",
  testMode: false,
  startedAt: 0,
  finishedAt: 10_000,
  counts: {},
  progress: {},
  ...over,
})

describe("the summary migrate prints", () => {
  it("gives outcomes by reason, largest first, and throughput in each stage's own unit", () => {
    const text = formatSummary(
      run({
        watermark: "2026-11-20",
        counts: {
          "extract.products": 100,
          "products.migrated": 90,
          "products.loaded": 90,
          "products.excluded": 4,
          "products.rejected.invalid_price": 2,
          "products.rejected.unknown_platform": 4,
          "extract.histories": 1000,
          "histories.kept": 900,
          "histories.filled": 50,
          "histories.dropped.orphan": 100,
        },
        progress: { extract: 100, "load-products": 90, "load-histories": 950 },
      }),
      0,
    )
    expect(text).toContain("run r1 (full) finished in 10s; legacy updated up to 2026-11-20")
    expect(text).toContain("products   read 100: migrated 90, excluded 4, rejected 6 (unknown_platform 4, invalid_price 2)")
    expect(text).toContain("histories  read 1,000: kept 900, filled 50, dropped 100 (orphan 100)")
    expect(text).toContain("throughput extract 10 products/s · load-products 9 products/s · load-histories 95 rows/s")
    expect(text).toContain("no stream entry failed")
  })

  it("counts as migrated only what load-products committed, and reports the products of failed entries", () => {
    const text = formatSummary(
      run({
        counts: { "extract.products": 10, "products.migrated": 10, "products.loaded": 6, "products.failed": 4, "dlq.entries": 1 },
        check: { v3Products: 6, accounted: 6, ok: true },
      }),
      1,
    )
    expect(text).toContain("products   read 10: migrated 6, excluded 0, rejected 0, failed 4 (their entries were dead-lettered)")
    expect(text).toContain("v3 check   6 products of this run in v3 = 6 migrated + 0 kept")
    expect(formatSummary(run({ check: { v3Products: 7, accounted: 6, ok: false } }), 0)).toContain(
      "v3 check   MISMATCH: v3 holds 7 products of this run, the run accounts for 6: run npm run verify -- --full",
    )
  })

  it("says a run with nothing to do had nothing to do, and points at dead letters when entries failed", () => {
    const text = formatSummary(run({ kind: "incremental", plan: { groups: 0, products: 0, newGroups: 0, productChanges: 0, historyChanges: 0 } }), 2)
    expect(text).toContain("changes    0 groups (0 products) to re-migrate")
    expect(text).toContain("throughput nothing to do")
    expect(text).toContain("2 stream entries were dead-lettered after repeated failures: npm run dlq -- list")
  })

  it("writes durations as a person reads them", () => {
    expect([duration(4_400), duration(442_000), duration(3_720_000)]).toEqual(["4s", "7m22s", "1h02m"])
  })
})
