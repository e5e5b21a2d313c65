import { describe, expect, it } from "vitest"
import { externalIdText, parseProvider, platformCountryOf, providerClaim, resolveProviders } from "../../src/mapping"
import type { ProviderClaim } from "../../src/mapping"

describe("MAPPING.md Products, Provider: parsing the legacy value", () => {
  it.each([
    ["the camelCase spelling", { externalId: "77", name: " Importadora  Sol ", verified: true }, { externalId: "77", name: "Importadora Sol", verified: true }],
    ["the snake_case spelling", { external_id: "78", provider_name: "Casa  X", verified: false }, { externalId: "78", name: "Casa X", verified: false }],
    ["a numeric external_id as decimal text", { external_id: 77, provider_name: "P" }, { externalId: "77", name: "P", verified: false }],
    ["a numeric externalId as decimal text", { externalId: 9007199254740991, name: "P" }, { externalId: "9007199254740991", name: "P", verified: false }],
    ["a fractional external id as String(n)", { externalId: 1.5, name: "P" }, { externalId: "1.5", name: "P", verified: false }],
    ["a double-encoded object", JSON.stringify({ externalId: "5", name: "Q", verified: true }), { externalId: "5", name: "Q", verified: true }],
    ["an external id that is trimmed", { externalId: "  12 " }, { externalId: "12", name: "12", verified: false }],
    ["external_id where externalId is null", { externalId: null, external_id: "13", name: "R" }, { externalId: "13", name: "R", verified: false }],
    ["externalId over external_id when both are present", { externalId: "1", external_id: "2" }, { externalId: "1", name: "1", verified: false }],
    ["provider_name where name is null", { externalId: "1", name: null, provider_name: " S " }, { externalId: "1", name: "S", verified: false }],
    ["name over provider_name when both are present", { externalId: "1", name: "N", provider_name: "PN" }, { externalId: "1", name: "N", verified: false }],
    ["an empty name → the external id (no fallback to provider_name)", { externalId: "1", name: "  ", provider_name: "PN" }, { externalId: "1", name: "1", verified: false }],
    ["a missing name → the external id", { external_id: 44 }, { externalId: "44", name: "44", verified: false }],
    ["a non-string name → the external id", { externalId: "1", name: 5 }, { externalId: "1", name: "1", verified: false }],
    ["verified only when JSON true", { externalId: "1", verified: "true" }, { externalId: "1", name: "1", verified: false }],
  ])("reads %s", (_label, raw, expected) => {
    expect(parseProvider(raw)).toEqual(expected)
  })

  it.each([
    ["{}", {}],
    ["an unparsable string", "{externalId: 1"],
    ["a plain string", "Proveedor"],
    ["an array", [{ externalId: "1" }]],
    ["a double-encoded array", '[{"externalId":"1"}]'],
    ["a number", 7],
    ["null", null],
    ["an empty external id", { externalId: "   ", name: "X" }],
    ["an empty externalId that does not fall back to external_id", { externalId: "", external_id: "2" }],
    ["a boolean external id", { externalId: true }],
    ["an object external id", { externalId: { id: 1 } }],
    ["both external ids null", { externalId: null, external_id: null, name: "X" }],
  ])("reads %s as the unknown provider", (_label, raw) => {
    expect(parseProvider(raw)).toBeNull()
  })

  it.each([
    [77, "77"],
    [-3, "-3"],
    [0, "0"],
    [1.25, "1.25"],
    [" x ", "x"],
    ["", null],
    [Number.NaN, null],
    [null, null],
  ])("turns the external id %j into %j", (value, expected) => {
    expect(externalIdText(value)).toBe(expected)
  })
})

describe("MAPPING.md Products, Provider: the v3 row a product claims", () => {
  const pc = platformCountryOf("DROPI", "MX")

  it("claims the (platform-country, external id) provider with its name and verified", () => {
    expect(providerClaim(pc, { externalId: "77", name: "Sol", verified: true }, "2024-01-01 a")).toEqual({
      provider: { id: "DROPI:MX:77", platform_country_id: "DROPI:MX", external_id: "77", name: "Sol", verified: true },
      unknown: false,
      claimKey: "2024-01-01 a",
    })
  })

  it("claims the platform-country's unknown provider when there is no external id", () => {
    expect(providerClaim(pc, null, "k")).toEqual({
      provider: { id: "DROPI:MX:unknown", platform_country_id: "DROPI:MX", external_id: "unknown", name: "Proveedor desconocido", verified: false },
      unknown: true,
      claimKey: "k",
    })
  })

  it("treats a provider whose external id is literally 'unknown' as the unknown provider", () => {
    expect(providerClaim(pc, { externalId: "unknown", name: "X", verified: true }, "k").provider).toEqual(
      providerClaim(pc, null, "k").provider,
    )
  })
})

describe("resolveProviders: one row per provider, from the latest claim", () => {
  const claim = (externalId: string, name: string, verified: boolean, claimKey: string): ProviderClaim =>
    providerClaim(platformCountryOf("DROPI", "CO"), { externalId, name, verified }, claimKey)

  it("takes name and verified from the greatest claimKey (later updated_at, then greater uuid)", () => {
    const rows = resolveProviders([
      claim("1", "Old", true, "2024-01-01 ffff"),
      claim("1", "New", false, "2024-01-02 0000"),
      claim("2", "Other", true, "2023-01-01 a"),
    ])
    expect(rows).toEqual([
      { id: "DROPI:CO:1", platform_country_id: "DROPI:CO", external_id: "1", name: "New", verified: false },
      { id: "DROPI:CO:2", platform_country_id: "DROPI:CO", external_id: "2", name: "Other", verified: true },
    ])
  })

  it("breaks an updated_at tie by the greater uuid", () => {
    const rows = resolveProviders([claim("1", "A", false, "2024-01-02 aaaa"), claim("1", "B", true, "2024-01-02 bbbb")])
    expect(rows).toEqual([{ id: "DROPI:CO:1", platform_country_id: "DROPI:CO", external_id: "1", name: "B", verified: true }])
  })

  it("keeps the unknown provider's fixed name and verified", () => {
    const pc = platformCountryOf("DROPI", "CO")
    const rows = resolveProviders([providerClaim(pc, null, "2024-01-01 a"), providerClaim(pc, { externalId: "unknown", name: "Z", verified: true }, "2025-01-01 a")])
    expect(rows).toEqual([{ id: "DROPI:CO:unknown", platform_country_id: "DROPI:CO", external_id: "unknown", name: "Proveedor desconocido", verified: false }])
  })
})
