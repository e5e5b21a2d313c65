import { describe, expect, it } from "vitest"
import { countryCode, isExcludedPlatform, mappingConfig, parseExcludedPlatforms, platformType } from "../../src/mapping"
import { cfg } from "./support"

describe("MAPPING.md Products rule 1: excluded platforms", () => {
  it.each([
    ["rocketfy", true],
    [" Rocketfy ", true],
    ["ROCKETFY", true],
    ["dropi", false],
    ["rocket fy", false],
  ])("with the default list, says %j is excluded: %s", (platform, expected) => {
    expect(isExcludedPlatform(platform, cfg)).toBe(expected)
  })

  const custom = mappingConfig({ excludedPlatforms: " Seventy   Block ,wimpy,, " })
  it.each([
    ["seventy block", true],
    ["SEVENTY  BLOCK", true],
    // Decision: no `_` → space translation in rule 1.
    ["seventy_block", false],
    ["wimpy", true],
    ["wimppy", false],
    ["rocketfy", false],
    ["", false],
  ])("with EXCLUDED_PLATFORMS=' Seventy   Block ,wimpy,, ', says %j is excluded: %s", (platform, expected) => {
    expect(isExcludedPlatform(platform, custom)).toBe(expected)
  })

  it("normalizes and lower-cases the entries of EXCLUDED_PLATFORMS, ignoring empty ones", () => {
    expect([...parseExcludedPlatforms(" Seventy   Block ,wimpy,, ")]).toEqual(["seventy block", "wimpy"])
  })

  it("normalizes entries of a hand-built set too", () => {
    const handBuilt = { excludedPlatforms: new Set([" RocketFy "]), legacyS3Bucket: "dropkiller" }
    expect(isExcludedPlatform("rocketfy", handBuilt)).toBe(true)
  })
})

describe("MAPPING.md Products rule 2: platform", () => {
  it.each([
    ["dropi", "DROPI"],
    [" Dropi", "DROPI"],
    ["DROPI ", "DROPI"],
    ["aliclick", "ALICLICK"],
    ["Droplatam", "DROPLATAM"],
    ["seventy block", "SEVENTY_BLOCK"],
    ["seventy_block", "SEVENTY_BLOCK"],
    ["Seventy  Block", "SEVENTY_BLOCK"],
    ["SEVENTY_BLOCK", "SEVENTY_BLOCK"],
    [" seventy__block ", "SEVENTY_BLOCK"],
    ["wimpy", "WIMPY"],
    ["wimppy", "WIMPY"],
    ["Wimppy ", "WIMPY"],
    ["easydrop", "EASYDROP"],
    ["MasterShop", "MASTERSHOP"],
    ["dropea", "DROPEA"],
  ])("reads %j as %s", (platform, expected) => {
    expect(platformType(platform)).toBe(expected)
  })

  it.each([["rocketfy"], ["drop i"], ["seventyblock"], ["wimpi"], [""], ["easy_drop"]])(
    "reads %j as an unknown platform",
    (platform) => {
      expect(platformType(platform)).toBeNull()
    },
  )
})

describe("MAPPING.md Products rule 3: country", () => {
  it.each([
    ["CO", "CO"],
    ["co", "CO"],
    [" MX ", "MX"],
    ["CO1", "CO"],
    ["co1", "CO"],
    ["ec", "EC"],
    ["CL", "CL"],
    ["pe", "PE"],
    ["PA", "PA"],
    ["gt", "GT"],
    ["PY", "PY"],
    ["ar", "AR"],
    ["es", "ES"],
  ])("reads %j as %s", (country, expected) => {
    expect(countryCode(country)).toBe(expected)
  })

  it.each([["US"], ["MX1"], ["C O"], ["Colombia"], [""], ["CO 1"]])("reads %j as an invalid country", (country) => {
    expect(countryCode(country)).toBeNull()
  })
})
