import { describe, expect, it } from "vitest"
import { excludedPlatformSet, mapGroup, mapProduct, mappingConfig, platformCountryOf, screenProduct } from "../../src/mapping"
import type { LegacyProduct, V3Product } from "../../src/mapping"
import { cfg, group, legacyProduct } from "./support"

const screen = (overrides: Partial<LegacyProduct>) => screenProduct(legacyProduct(overrides), excludedPlatformSet(cfg))
const mapped = (overrides: Partial<LegacyProduct>): V3Product =>
  mapProduct(legacyProduct(overrides), platformCountryOf("DROPI", "CO")).product

describe("MAPPING.md Products rules 1–4, applied in order", () => {
  it.each([
    ["excludes a rocketfy product", { platform: "rocketfy" }, { kind: "excluded" }],
    ["excludes an excluded platform before reading its country and price", { platform: " Rocketfy", country: "XX", sale_price: "NaN" }, { kind: "excluded" }],
    ["rejects an unknown platform with unknown_platform", { platform: "shopify" }, { kind: "rejected", reason: "unknown_platform" }],
    ["reports unknown_platform before invalid_country", { platform: "shopify", country: "XX" }, { kind: "rejected", reason: "unknown_platform" }],
    ["rejects an invalid country with invalid_country", { country: "US" }, { kind: "rejected", reason: "invalid_country" }],
    ["reports invalid_country before invalid_price", { country: "US", sale_price: -1 }, { kind: "rejected", reason: "invalid_country" }],
    ["rejects a product whose sale_price is NaN with invalid_price", { sale_price: "NaN" }, { kind: "rejected", reason: "invalid_price" }],
    ["rejects a product whose sale_price is Infinity with invalid_price", { sale_price: "Infinity" }, { kind: "rejected", reason: "invalid_price" }],
    ["rejects a product whose sale_price is -Infinity with invalid_price", { sale_price: "-Infinity" }, { kind: "rejected", reason: "invalid_price" }],
    ["rejects a product whose sale_price is negative with invalid_price", { sale_price: -0.5 }, { kind: "rejected", reason: "invalid_price" }],
    ["accepts a sale_price of 0", { sale_price: 0 }, { kind: "accepted", platform: "DROPI", country: "CO" }],
    ["accepts ' Dropi' in 'CO1'", { platform: " Dropi", country: "CO1" }, { kind: "accepted", platform: "DROPI", country: "CO" }],
    ["accepts 'seventy_block' in ' mx '", { platform: "seventy_block", country: " mx " }, { kind: "accepted", platform: "SEVENTY_BLOCK", country: "MX" }],
  ])("%s", (_label, overrides, expected) => {
    expect(screen(overrides)).toEqual(expected)
  })

  it("excludes a platform named in a custom EXCLUDED_PLATFORMS and migrates rocketfy's spelling as unknown_platform", () => {
    const custom = excludedPlatformSet(mappingConfig({ excludedPlatforms: "dropi,mastershop" }))
    expect(screenProduct(legacyProduct({ platform: " DROPI " }), custom)).toEqual({ kind: "excluded" })
    expect(screenProduct(legacyProduct({ platform: "Mastershop" }), custom)).toEqual({ kind: "excluded" })
    expect(screenProduct(legacyProduct({ platform: "rocketfy" }), custom)).toEqual({ kind: "rejected", reason: "unknown_platform" })
  })

  it("puts each product of a group in exactly one of migrated, excluded, rejected", () => {
    const result = mapGroup(
      group([
        legacyProduct({ uuid: "a", platform: "rocketfy" }),
        legacyProduct({ uuid: "b", platform: "shopify" }),
        legacyProduct({ uuid: "c", country: "CO", sale_price: "NaN" }),
        legacyProduct({ uuid: "d" }),
      ]),
      cfg,
    )
    expect(result.excluded.map((p) => p.uuid)).toEqual(["a"])
    expect(result.rejected.map((r) => [r.legacy.uuid, r.reason])).toEqual([
      ["b", "unknown_platform"],
      ["c", "invalid_price"],
    ])
    expect(result.migrated.map((m) => m.product.id)).toEqual(["d"])
  })
})

describe("MAPPING.md fields of a migrated product", () => {
  it("keeps sale_price as is", () => {
    expect(mapped({ sale_price: 1234.56 }).sale_price).toBe(1234.56)
  })

  const copied: ReadonlyArray<readonly [keyof LegacyProduct, keyof V3Product]> = [
    ["suggested_price", "suggested_price"],
    ["stock", "stock"],
    ["total_sold_units", "total_sold_units"],
    ["sold_units_last_7_days", "sold_units_last_7_days"],
    ["sold_units_last_30_days", "sold_units_last_30_days"],
    ["total_sales_amount", "total_billing"],
    ["sales_last_7_days", "billing_last_7_days"],
    ["sales_last_30_days", "billing_last_30_days"],
  ]
  const cases = copied.flatMap(([from, to]) =>
    (
      [
        ["NaN", 0],
        ["Infinity", 0],
        ["-Infinity", 0],
        [-3, 0],
        [0, 0],
        [42.75, 42.75],
      ] as const
    ).map(([value, expected]) => [from, to, value, expected] as const),
  )
  it.each(cases)("copies %s into %s, %j → %d", (from, to, value, expected) => {
    expect(mapped({ [from]: value })[to]).toBe(expected)
  })

  it.each([
    ["  Lámpara   LED \n recargable ", "Lámpara LED recargable"],
    ["   ", "Sin nombre"],
    ["", "Sin nombre"],
  ])("normalizes the name %j to %j", (name, expected) => {
    expect(mapped({ name }).name).toBe(expected)
  })

  it.each([
    ["  Una  línea\n  y otra  ", "Una  línea\n  y otra"],
    ["  \n ", null],
    ["", null],
    [null, null],
  ])("trims the description %j to %j", (description, expected) => {
    expect(mapped({ description }).description).toBe(expected)
  })

  it.each([
    [true, "ACTIVE"],
    [false, "INACTIVE"],
  ])("maps visible=%s to status %s", (visible, expected) => {
    expect(mapped({ visible }).status).toBe(expected)
  })

  it.each([
    [2.5, 3],
    [3.5, 4],
    [2.4, 2],
    [0.5, 1],
    ["NaN", 0],
    [-1, 0],
  ])("rounds variations_amount %j to %d", (variations_amount, expected) => {
    expect(mapped({ variations_amount }).variations_amount).toBe(expected)
  })

  it("takes id, external_id and score as is, dates at midnight, the platform-country and provider ids", () => {
    const p = mapped({
      uuid: "6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
      external_id: " 00123 ",
      score: -4,
      created_at: "2023-02-28",
      updated_at: "2024-02-29",
      provider: { externalId: " 9 " },
    })
    expect(p).toMatchObject({
      id: "6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
      external_id: " 00123 ",
      score: -4,
      created_at: "2023-02-28 00:00:00",
      updated_at: "2024-02-29 00:00:00",
      platform_country_id: "DROPI:CO",
      provider_id: "DROPI:CO:9",
      base_category_id: "hogar",
    })
  })

  it("creates the platform_countries row for the product's platform and country", () => {
    const result = mapGroup(group([legacyProduct({ platform: "seventy_block", country: "co1" })]), cfg)
    expect(result.migrated[0]?.platformCountry).toEqual({ id: "SEVENTY_BLOCK:CO", platform_id: "SEVENTY_BLOCK", country_id: "CO" })
  })
})
