import { describe, expect, it } from "vitest"
import { mapGroup, mappingConfig } from "../../src/mapping"
import { cfg, group, legacyHistory, legacyProduct, uuid } from "./support"

describe("MAPPING.md Histories: which product a history row belongs to", () => {
  const winner = legacyProduct({ uuid: uuid(2), platform: "dropi", country: "CO", updated_at: "2024-02-01" })
  const loser = legacyProduct({ uuid: uuid(1), platform: " Dropi", country: "CO1", updated_at: "2024-01-01" })

  it.each([
    ["the product's own spelling", { platform: "dropi", country: "CO" }],
    ["the collision loser's spelling", { platform: " Dropi", country: "CO1" }],
    ["another spelling of the same key", { platform: "DROPI", country: " co " }],
  ])("gives the collision winner a row written in %s", (_label, spelling) => {
    const row = legacyHistory({ uuid: uuid(100), ...spelling })
    const result = mapGroup(group([loser, winner], [row]), cfg)
    expect(result.migrated.map((m) => m.product.id)).toEqual([winner.uuid])
    expect(result.migrated[0]?.histories.map((h) => h.product_id)).toEqual([winner.uuid])
    expect(result.droppedHistories).toEqual([])
    expect(result.historyCounts).toEqual({ kept: 1, filled: 0 })
  })

  it.each([
    ["an excluded platform", { platform: "Rocketfy" }, "excluded"],
    ["an unknown platform", { platform: "shopify" }, "orphan"],
    ["an invalid country", { country: "XX" }, "orphan"],
    ["another country with no product", { country: "MX" }, "orphan"],
    ["another platform with no product", { platform: "wimpy" }, "orphan"],
    ["another external id (exact, untrimmed comparison)", { external_product_id: " 100" }, "orphan"],
  ])("drops a row with %s as %s", (_label, overrides, reason) => {
    const row = legacyHistory({ uuid: uuid(100), ...overrides })
    const result = mapGroup(group([winner], [row]), cfg)
    expect(result.droppedHistories).toEqual([{ row, reason }])
    expect(result.migrated[0]?.histories).toEqual([])
  })

  it("drops the rows of an excluded product as excluded and of a rejected product as orphan", () => {
    const excluded = legacyProduct({ uuid: uuid(3), platform: "rocketfy" })
    const rejected = legacyProduct({ uuid: uuid(4), platform: "wimpy", sale_price: "NaN" })
    const rows = [legacyHistory({ uuid: uuid(100), platform: " rocketfy " }), legacyHistory({ uuid: uuid(101), platform: "Wimppy" })]
    const result = mapGroup(group([excluded, rejected], rows), cfg)
    expect(result.droppedHistories.map((d) => [d.row.uuid, d.reason])).toEqual([
      [uuid(100), "excluded"],
      [uuid(101), "orphan"],
    ])
  })

  it("drops a row as excluded by its own spelling, even when its key matches a migrated product (rule 1 has no _ translation)", () => {
    const custom = mappingConfig({ excludedPlatforms: "seventy_block" })
    const product = legacyProduct({ platform: "seventy block" })
    const rows = [legacyHistory({ uuid: uuid(100), platform: "seventy_block" }), legacyHistory({ uuid: uuid(101), platform: "Seventy Block", date: "2024-01-02" })]
    const result = mapGroup(group([product], rows), custom)
    expect(result.migrated).toHaveLength(1)
    expect(result.droppedHistories.map((d) => [d.row.uuid, d.reason])).toEqual([[uuid(100), "excluded"]])
    expect(result.migrated[0]?.histories.map((h) => h.date)).toEqual(["2024-01-02"])
  })

  it("counts kept and filled rows and drops re-scrapes and bad dates of the product", () => {
    const rows = [
      legacyHistory({ uuid: uuid(100), date: "2024-01-01", sold_units: 1 }),
      legacyHistory({ uuid: uuid(101), date: "2024-01-01", sold_units: 2 }),
      legacyHistory({ uuid: uuid(102), date: "2024-01-05" }),
      legacyHistory({ uuid: uuid(103), date: "2024-13-01" }),
    ]
    const result = mapGroup(group([winner], rows), cfg)
    expect(result.historyCounts).toEqual({ kept: 2, filled: 3 })
    expect(result.droppedHistories.map((d) => [d.row.uuid, d.reason])).toEqual([
      [uuid(100), "duplicate"],
      [uuid(103), "invalid_date"],
    ])
  })
})

describe("mapGroup options.unmatchedHistories", () => {
  const passed = legacyProduct({ uuid: uuid(1), platform: "dropi", country: "CO" })
  const rejected = legacyProduct({ uuid: uuid(2), platform: "dropi", country: "MX", sale_price: -1 })
  const rows = [
    legacyHistory({ uuid: uuid(100), country: "co" }),
    legacyHistory({ uuid: uuid(101), country: "MX" }),
    legacyHistory({ uuid: uuid(102), country: "PE" }),
    legacyHistory({ uuid: uuid(103), platform: "rocketfy" }),
    legacyHistory({ uuid: uuid(104), platform: "shopify" }),
  ]

  it("drops rows matching no product as orphan (or excluded) by default", () => {
    const result = mapGroup(group([passed, rejected], rows), cfg)
    expect(result.droppedHistories.map((d) => [d.row.uuid, d.reason])).toEqual([
      [uuid(101), "orphan"],
      [uuid(102), "orphan"],
      [uuid(103), "excluded"],
      [uuid(104), "orphan"],
    ])
    expect(mapGroup(group([passed, rejected], rows), cfg, { unmatchedHistories: "drop" })).toEqual(result)
  })

  it("with 'ignore' leaves out rows matching no passed product, still dropping rows of a passed but unmigrated product", () => {
    const result = mapGroup(group([passed, rejected], rows), cfg, { unmatchedHistories: "ignore" })
    expect(result.migrated[0]?.histories.map((h) => h.date)).toEqual(["2024-01-01"])
    expect(result.droppedHistories.map((d) => [d.row.uuid, d.reason])).toEqual([[uuid(101), "orphan"]])
    expect(result.historyCounts).toEqual({ kept: 1, filled: 0 })
  })

  it("with 'ignore' still drops as excluded a row whose key matches a passed product but whose platform is excluded", () => {
    const custom = mappingConfig({ excludedPlatforms: "seventy_block" })
    const product = legacyProduct({ platform: "seventy block" })
    const row = legacyHistory({ uuid: uuid(100), platform: "seventy_block" })
    expect(mapGroup(group([product], [row]), custom, { unmatchedHistories: "ignore" }).droppedHistories).toEqual([{ row, reason: "excluded" }])
  })
})

describe("mapGroup: the provider claim of each migrated product", () => {
  it("claims the named provider with the product's recencyKey, or the unknown provider", () => {
    const named = legacyProduct({ uuid: "A0000000-0000-4000-8000-000000000001", country: "CO", updated_at: "2024-04-04", provider: '{"external_id": 12, "provider_name": "Casa"}' })
    const unknown = legacyProduct({ uuid: uuid(2), country: "MX", provider: "{oops" })
    const result = mapGroup(group([named, unknown]), cfg)
    expect(result.migrated.map((m) => m.provider)).toEqual([
      {
        provider: { id: "DROPI:MX:unknown", platform_country_id: "DROPI:MX", external_id: "unknown", name: "Proveedor desconocido", verified: false },
        unknown: true,
        claimKey: `2024-01-01 ${uuid(2)}`,
      },
      {
        provider: { id: "DROPI:CO:12", platform_country_id: "DROPI:CO", external_id: "12", name: "Casa", verified: false },
        unknown: false,
        claimKey: "2024-04-04 a0000000-0000-4000-8000-000000000001",
      },
    ])
    expect(result.migrated.map((m) => m.product.provider_id)).toEqual(["DROPI:MX:unknown", "DROPI:CO:12"])
  })

  it("migrates a product with an invalid gallery, flagging it", () => {
    const result = mapGroup(group([legacyProduct({ gallery: "not json" })]), cfg)
    expect(result.migrated[0]?.gallery).toEqual({ invalid: true, dropped: [] })
    expect(result.migrated[0]?.multimedia).toEqual([])
  })
})
