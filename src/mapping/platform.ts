import { excludedPlatformKey } from "./config"
import { type CountryCode, countryCodes, type PlatformType } from "./reference"
import { normalizeText } from "./text"
import type { MappingConfig } from "./types"

/**
 * The configured excluded platforms, each normalized and lower-cased again so a set built by hand
 * (not through parseExcludedPlatforms) still compares the way MAPPING.md Products rule 1 says.
 */
export function excludedPlatformSet(cfg: MappingConfig): ReadonlySet<string> {
  const set = new Set<string>()
  for (const entry of cfg.excludedPlatforms) {
    const key = excludedPlatformKey(entry)
    if (key !== "") set.add(key)
  }
  return set
}

/**
 * MAPPING.md Products rule 1: normalized, lower-cased platform in EXCLUDED_PLATFORMS. Decision:
 * no `_` → space translation here, unlike rule 2.
 */
export function isExcludedPlatform(raw: string, cfg: MappingConfig): boolean {
  return isExcludedIn(raw, excludedPlatformSet(cfg))
}

/** isExcludedPlatform against a set already built by excludedPlatformSet (one per group). */
export function isExcludedIn(raw: string, excluded: ReadonlySet<string>): boolean {
  return excluded.has(excludedPlatformKey(raw))
}

const platformNames: ReadonlyMap<string, PlatformType> = new Map<string, PlatformType>([
  ["dropi", "DROPI"],
  ["aliclick", "ALICLICK"],
  ["droplatam", "DROPLATAM"],
  ["seventy block", "SEVENTY_BLOCK"],
  ["wimpy", "WIMPY"],
  ["wimppy", "WIMPY"],
  ["easydrop", "EASYDROP"],
  ["mastershop", "MASTERSHOP"],
  ["dropea", "DROPEA"],
])

/** MAPPING.md Products rule 2: normalized, lower-cased, `_` read as a space; null → unknown_platform. */
export function platformType(raw: string): PlatformType | null {
  return platformNames.get(normalizeText(raw.replace(/_/g, " ")).toLowerCase()) ?? null
}

const countrySet: ReadonlySet<string> = new Set(countryCodes)
const isCountryCode = (code: string): code is CountryCode => countrySet.has(code)

/** MAPPING.md Products rule 3: normalized, upper-cased, CO1 → CO; null → invalid_country. */
export function countryCode(raw: string): CountryCode | null {
  const code = normalizeText(raw).toUpperCase()
  const aliased = code === "CO1" ? "CO" : code
  return isCountryCode(aliased) ? aliased : null
}
