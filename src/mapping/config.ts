import { normalizeText } from "./text"
import type { MappingConfig } from "./types"

export const defaultExcludedPlatforms = "rocketfy"
export const defaultLegacyS3Bucket = "dropkiller"

/** The platform key compared against EXCLUDED_PLATFORMS: normalized, lower-cased (MAPPING.md Products rule 1). */
export function excludedPlatformKey(platform: string): string {
  return normalizeText(platform).toLowerCase()
}

/** EXCLUDED_PLATFORMS (comma-separated) as the set MappingConfig holds; empty entries are ignored. */
export function parseExcludedPlatforms(csv: string): ReadonlySet<string> {
  const entries = csv.split(",").map(excludedPlatformKey)
  return new Set(entries.filter((entry) => entry !== ""))
}

/** A MappingConfig from the raw settings, defaults as in MAPPING.md. */
export function mappingConfig(input: { excludedPlatforms?: string; legacyS3Bucket?: string } = {}): MappingConfig {
  return {
    excludedPlatforms: parseExcludedPlatforms(input.excludedPlatforms ?? defaultExcludedPlatforms),
    legacyS3Bucket: (input.legacyS3Bucket ?? defaultLegacyS3Bucket).trim(),
  }
}
