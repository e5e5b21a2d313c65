import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  dateOfDay,
  dayNumber,
  excludedPlatformSet,
  mapGroup,
  mapHistories,
  naturalKey,
  recencyKey,
  resolveProviders,
  screenProduct,
} from "../../src/mapping"
import type { LegacyHistory, LegacyNumber, LegacyProduct, V3History } from "../../src/mapping"
import { cfg, legacyProduct } from "./support"

const first = dayNumber("2024-01-01")

const legacyNumber: fc.Arbitrary<LegacyNumber> = fc.oneof(
  fc.constantFrom("NaN", "Infinity", "-Infinity"),
  fc.integer({ min: -3, max: 50 }),
  fc.double({ min: -5, max: 500, noNaN: true, noDefaultInfinity: true }),
)

/** A history date in one of the accepted spellings (within ~4 months), or an invalid one. */
const historyDate: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.integer({ min: 0, max: 120 }), fc.constantFrom("iso", "dmy", "ts")).map(([offset, style]) => {
    const d = dateOfDay(first + offset)
    if (style === "dmy") return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`
    return style === "ts" ? `${d}T10:00:00Z` : d
  }) },
  { weight: 1, arbitrary: fc.constantFrom("2024-02-30", "2014-06-01", "garbage", " 2024-01-05") },
)

const platformSpelling = fc.constantFrom("dropi", " Dropi", "DROPI ", "wimpy", "wimppy", "rocketfy", "shopify")
const countrySpelling = fc.constantFrom("CO", "co", "CO1", " MX ", "XX")

const historyRow = (externalId: string): fc.Arbitrary<Omit<LegacyHistory, "uuid">> =>
  fc.record({
    external_product_id: fc.constant(externalId),
    country: countrySpelling,
    platform: platformSpelling,
    date: historyDate,
    stock: legacyNumber,
    sale_price: legacyNumber,
    sales_amount: legacyNumber,
    sold_units: legacyNumber,
    stock_adjustment: fc.option(fc.boolean()),
    stock_adjustment_reason: fc.option(fc.constantFrom("", "  ", " recount ", "x")),
  })

/** Rows with distinct uuids (history.uuid is the legacy primary key). */
const historyRows = (externalId: string, maxLength = 40): fc.Arbitrary<LegacyHistory[]> =>
  fc
    .uniqueArray(fc.tuple(fc.uuid(), historyRow(externalId)), { selector: ([id]) => id, maxLength })
    .map((rows) => rows.map(([uuid, row]) => ({ uuid, ...row })))

const products: fc.Arbitrary<LegacyProduct[]> = fc
  .uniqueArray(
    fc.record({
      uuid: fc.uuid(),
      platform: platformSpelling,
      country: countrySpelling,
      updated_at: fc.constantFrom("2024-01-01", "2024-01-02", "2024-02-01"),
      sale_price: legacyNumber,
      provider: fc.oneof(
        fc.record({ externalId: fc.constantFrom("1", "2"), name: fc.constantFrom("A", " B ", ""), verified: fc.boolean() }),
        fc.record({ external_id: fc.constantFrom(1, 2), provider_name: fc.constantFrom("C", "D") }),
        fc.constantFrom({}, "{bad", null),
      ),
      gallery: fc.array(fc.oneof(fc.record({ url: fc.constantFrom("a.jpg", "/a.jpg", "http://x.com/b.mp4", "URL_NOT_FOUND") }), fc.constant("x")), { maxLength: 4 }),
    }),
    { selector: (p) => p.uuid, minLength: 1, maxLength: 6 },
  )
  .map((list) => list.map((p) => legacyProduct({ ...p, external_id: "100" })))

const shuffled = <T>(items: readonly T[]): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length })

describe("properties of the history rules", () => {
  it("after gap filling a product's dates are contiguous from its first to its last kept date", () => {
    fc.assert(
      fc.property(historyRows("100"), (rows) => {
        const result = mapHistories({ id: "p", suggested_price: 1 }, rows)
        const days = result.histories.map((h) => dayNumber(h.date))
        days.forEach((day, i) => {
          if (i > 0) expect(day).toBe((days[i - 1] ?? Number.NaN) + 1)
        })
        const kept = result.histories.filter((h) => !h.filled)
        expect(kept.length).toBe(result.kept)
        expect(result.histories.length).toBe(result.kept + result.filled)
        expect(result.histories[0]?.filled ?? false).toBe(false)
        expect(result.histories.at(-1)?.filled ?? false).toBe(false)
        expect(result.kept + result.dropped.length).toBe(rows.length)
      }),
    )
  })

  it("rolling figures equal a naive recomputation summing each window from the row list", () => {
    const naive = (rows: V3History[], field: "sold_units" | "billing", date: string, width: number | null): number => {
      const d = dayNumber(date)
      let sum = 0
      for (const r of rows) {
        const day = dayNumber(r.date)
        if (day <= d && (width === null || day > d - width)) sum += r[field]
      }
      return sum
    }
    fc.assert(
      fc.property(historyRows("100"), (rows) => {
        const { histories } = mapHistories({ id: "p", suggested_price: 1 }, rows)
        for (const h of histories) {
          expect(h.sold_units_last_7_days).toBe(naive(histories, "sold_units", h.date, 7))
          expect(h.sold_units_last_30_days).toBe(naive(histories, "sold_units", h.date, 30))
          expect(h.total_sold_units).toBe(naive(histories, "sold_units", h.date, null))
          expect(h.billing_last_7_days).toBe(naive(histories, "billing", h.date, 7))
          expect(h.billing_last_30_days).toBe(naive(histories, "billing", h.date, 30))
          expect(h.total_billing).toBe(naive(histories, "billing", h.date, null))
        }
      }),
    )
  })
})

describe("properties of mapGroup", () => {
  it("picks the collision winner independently of input order", () => {
    const excluded = excludedPlatformSet(cfg)
    const keyOf = (p: LegacyProduct): string | null => {
      const screen = screenProduct(p, excluded)
      return screen.kind === "accepted" ? naturalKey(screen.platform, screen.country, p.external_id) : null
    }
    fc.assert(
      fc.property(
        products.chain((list) => fc.tuple(fc.constant(list), shuffled(list))),
        ([list, reordered]) => {
          const a = mapGroup({ key: "100", products: list, histories: [] }, cfg)
          expect(mapGroup({ key: "100", products: reordered, histories: [] }, cfg)).toEqual(a)
          // The winner of each key has the greatest recencyKey among the products of that key passing rules 1–4.
          for (const m of a.migrated) {
            const rivals = list.filter((p) => keyOf(p) === keyOf(m.legacy))
            expect(recencyKey(m.legacy)).toBe(rivals.map(recencyKey).sort().at(-1))
          }
        },
      ),
    )
  })

  it("resolves each provider from its latest claim across groups, whatever the order of the claims", () => {
    fc.assert(
      fc.property(products, fc.array(fc.integer(), { minLength: 6, maxLength: 6 }), (list, claimOrder) => {
        // One group per product, so several migrated products can name one provider.
        const claims = list.flatMap((p, i) =>
          mapGroup({ key: String(i), products: [{ ...p, external_id: String(i) }], histories: [] }, cfg).migrated.map((m) => m.provider),
        )
        const reorderedClaims = claims
          .map((claim, i) => ({ claim, rank: claimOrder[i] ?? 0 }))
          .sort((x, y) => x.rank - y.rank)
          .map(({ claim }) => claim)
        const providers = resolveProviders(claims)
        expect(resolveProviders(reorderedClaims)).toEqual(providers)
        expect(new Set(providers.map((p) => p.id)).size).toBe(providers.length)
        for (const provider of providers) {
          const latest = claims
            .filter((c) => c.provider.id === provider.id)
            .sort((x, y) => (x.claimKey < y.claimKey ? -1 : x.claimKey > y.claimKey ? 1 : 0))
            .at(-1)
          expect(provider).toEqual(latest?.provider)
        }
      }),
    )
  })

  it("gives deep-equal results when the same group is mapped twice", () => {
    fc.assert(
      fc.property(products, historyRows("100"), (list, rows) => {
        const group = { key: "100", products: list, histories: rows }
        expect(mapGroup(group, cfg)).toEqual(mapGroup(group, cfg))
        expect(mapGroup(group, cfg, { unmatchedHistories: "ignore" })).toEqual(mapGroup(group, cfg, { unmatchedHistories: "ignore" }))
      }),
    )
  })

  it("gives the same result for shuffled histories and products, and accounts for every row", () => {
    fc.assert(
      fc.property(
        products.chain((list) => fc.tuple(fc.constant(list), shuffled(list))),
        historyRows("100").chain((rows) => fc.tuple(fc.constant(rows), shuffled(rows))),
        ([list, listReordered], [rows, rowsReordered]) => {
          const a = mapGroup({ key: "100", products: list, histories: rows }, cfg)
          const b = mapGroup({ key: "100", products: listReordered, histories: rowsReordered }, cfg)
          expect(b).toEqual(a)
          expect(a.migrated.length + a.excluded.length + a.rejected.length).toBe(list.length)
          expect(a.historyCounts.kept + a.droppedHistories.length).toBe(rows.length)
        },
      ),
    )
  })
})
