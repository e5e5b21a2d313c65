import { describe, expect, it } from "vitest"
import { mapGroup, recencyKey } from "../../src/mapping"
import { cfg, group, legacyProduct } from "./support"

describe("recencyKey orders byte-wise by later updated_at, then greater uuid", () => {
  it.each([
    [{ updated_at: "2024-01-02", uuid: "00000000-0000-0000-0000-000000000000" }, { updated_at: "2024-01-01", uuid: "ffffffff-ffff-ffff-ffff-ffffffffffff" }],
    [{ updated_at: "2024-01-01", uuid: "b0000000-0000-0000-0000-000000000000" }, { updated_at: "2024-01-01", uuid: "a0000000-0000-0000-0000-000000000000" }],
    [{ updated_at: "2024-10-01", uuid: "a" }, { updated_at: "2024-09-30", uuid: "b" }],
    [{ updated_at: "2024-01-01", uuid: "B0000000-0000-0000-0000-000000000000" }, { updated_at: "2024-01-01", uuid: "a0000000-0000-0000-0000-000000000000" }],
  ])("ranks %j above %j", (later, earlier) => {
    expect(recencyKey(later) > recencyKey(earlier)).toBe(true)
    expect(Buffer.compare(Buffer.from(recencyKey(later)), Buffer.from(recencyKey(earlier)))).toBe(1)
  })

  it("is updated_at, a space and the lower-cased uuid", () => {
    expect(recencyKey({ updated_at: "2024-03-01", uuid: "ABCDEF00-0000-4000-8000-000000000001" })).toBe(
      "2024-03-01 abcdef00-0000-4000-8000-000000000001",
    )
  })
})

describe("MAPPING.md Products rule 5: natural-key collisions", () => {
  const a = legacyProduct({ uuid: "a0000000-0000-4000-8000-000000000000", platform: "dropi", country: "CO", updated_at: "2024-05-01" })
  const b = legacyProduct({ uuid: "b0000000-0000-4000-8000-000000000000", platform: " Dropi", country: "co", updated_at: "2024-05-02" })
  const c = legacyProduct({ uuid: "c0000000-0000-4000-8000-000000000000", platform: "DROPI ", country: "CO1", updated_at: "2024-05-02" })

  it.each([
    ["the later updated_at wins", [a, b], b.uuid, [a.uuid]],
    ["the greater uuid breaks an updated_at tie", [b, c], c.uuid, [b.uuid]],
    ["three spellings of one key keep one winner", [c, a, b], c.uuid, [a.uuid, b.uuid]],
  ])("%s, the others are rejected duplicate_product", (_label, products, winner, losers) => {
    const result = mapGroup(group(products), cfg)
    expect(result.migrated.map((m) => m.product.id)).toEqual([winner])
    expect(result.rejected).toEqual(losers.map((uuid) => ({ legacy: products.find((p) => p.uuid === uuid), reason: "duplicate_product" })))
  })

  it("does not collide products of different countries or platforms", () => {
    const mx = legacyProduct({ uuid: "d", country: "MX" })
    const wimpy = legacyProduct({ uuid: "e", platform: "wimppy" })
    const result = mapGroup(group([a, mx, wimpy]), cfg)
    expect(result.migrated.map((m) => m.product.platform_country_id).sort()).toEqual(["DROPI:CO", "DROPI:MX", "WIMPY:CO"])
    expect(result.rejected).toEqual([])
  })

  it("lets only products passing rules 1–4 collide: a later rejected product does not beat an older valid one", () => {
    const later = legacyProduct({ uuid: "f", updated_at: "2025-01-01", sale_price: "NaN" })
    const result = mapGroup(group([a, later]), cfg)
    expect(result.migrated.map((m) => m.product.id)).toEqual([a.uuid])
    expect(result.rejected).toEqual([{ legacy: later, reason: "invalid_price" }])
  })
})
