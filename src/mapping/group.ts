import { naturalKey, recencyKey, resolveCollisions } from "./collision"
import { mapHistories } from "./histories"
import { mapGallery } from "./multimedia"
import { countryCode, excludedPlatformSet, isExcludedIn, platformType } from "./platform"
import { mapProduct, platformCountryOf, screenProduct } from "./products"
import type { CountryCode, PlatformType } from "./reference"
import { compareText } from "./text"
import type {
  GroupResult,
  HistorySeed,
  LegacyGroup,
  LegacyHistory,
  LegacyProduct,
  MapGroupOptions,
  MappingConfig,
  MigratedProduct,
} from "./types"

interface Accepted {
  legacy: LegacyProduct
  platform: PlatformType
  country: CountryCode
  naturalKey: string
  recencyKey: string
}

/**
 * Reads the (platform, country) spellings of a group's rows as the rules do, once per distinct
 * spelling: a group's rows repeat a handful of spellings, and the reading is pure.
 */
class SpellingReader {
  private readonly platformCountries = new Map<string, Map<string, string | null>>()
  private readonly excludedByPlatform = new Map<string, boolean>()

  constructor(private readonly excludedSet: ReadonlySet<string>) {}

  /** MAPPING.md Products rule 1 on this spelling. */
  excluded(platform: string): boolean {
    let excluded = this.excludedByPlatform.get(platform)
    if (excluded === undefined) {
      excluded = isExcludedIn(platform, this.excludedSet)
      this.excludedByPlatform.set(platform, excluded)
    }
    return excluded
  }

  /** The natural key (platform type, country code, external id) by rules 2 and 3, or null. */
  key(platform: string, country: string, externalId: string): string | null {
    let byCountry = this.platformCountries.get(platform)
    if (byCountry === undefined) {
      byCountry = new Map()
      this.platformCountries.set(platform, byCountry)
    }
    let pc = byCountry.get(country)
    if (pc === undefined) {
      const type = platformType(platform)
      const code = countryCode(country)
      // naturalKey ends with the external id, so its prefix is what a spelling determines.
      pc = type === null || code === null ? null : naturalKey(type, code, "")
      byCountry.set(country, pc)
    }
    return pc === null ? null : pc + externalId
  }
}

/** A tail's seed of one migrated product: every one has one, as v3 holds each (src/extract/fetch.ts). */
function seedOf(tail: NonNullable<MapGroupOptions["tail"]>, productId: string): HistorySeed & { cut: string } {
  const seed = tail.seeds[productId]
  if (seed === undefined) throw new Error(`product ${productId} gained history rows but is not in v3 as its last load left it; re-extract its group whole (dlq retry)`)
  return { ...seed, cut: tail.cut }
}

const byUuid = <T extends { uuid: string }>(a: T, b: T): number => compareText(a.uuid, b.uuid)

/**
 * Applies every MAPPING.md rule to one group (every legacy product and history row sharing one
 * raw external id). Pure and independent of the order of the group's products and rows: every
 * choice uses an ordering key, and every list in the result is in uuid (or date, position) order.
 */
export function mapGroup(group: LegacyGroup, cfg: MappingConfig, options: MapGroupOptions = {}): GroupResult {
  const excludedSet = excludedPlatformSet(cfg)
  const products = [...group.products].sort(byUuid)
  const excluded: LegacyProduct[] = []
  const rejected: GroupResult["rejected"] = []
  const accepted: Accepted[] = []
  for (const legacy of products) {
    const screen = screenProduct(legacy, excludedSet)
    if (screen.kind === "excluded") excluded.push(legacy)
    else if (screen.kind === "rejected") rejected.push({ legacy, reason: screen.reason })
    else
      accepted.push({
        legacy,
        platform: screen.platform,
        country: screen.country,
        naturalKey: naturalKey(screen.platform, screen.country, legacy.external_id),
        recencyKey: recencyKey(legacy),
      })
  }
  // MAPPING.md Products rule 5.
  const { winners, losers } = resolveCollisions(accepted)
  for (const loser of losers) rejected.push({ legacy: loser.legacy, reason: "duplicate_product" })
  rejected.sort((a, b) => byUuid(a.legacy, b.legacy))

  // MAPPING.md Histories: a row belongs to the migrated product with the same key as the rules read it.
  const ignoreUnmatched = options.unmatchedHistories === "ignore"
  const spellings = new SpellingReader(excludedSet)
  const passedKeys = new Set<string>()
  if (ignoreUnmatched)
    for (const p of products) {
      const key = spellings.key(p.platform, p.country, p.external_id)
      if (key !== null) passedKeys.add(key)
    }
  const rowsByKey = new Map<string, LegacyHistory[]>(winners.map((w) => [w.naturalKey, []]))
  const droppedHistories: GroupResult["droppedHistories"] = []
  for (const row of group.histories) {
    const key = spellings.key(row.platform, row.country, row.external_product_id)
    // TEST_MODE: rows of products not in this run are not this run's to account for.
    if (ignoreUnmatched && (key === null || !passedKeys.has(key))) continue
    if (spellings.excluded(row.platform)) droppedHistories.push({ row, reason: "excluded" })
    else {
      const rows = key === null ? undefined : rowsByKey.get(key)
      if (rows === undefined) droppedHistories.push({ row, reason: "orphan" })
      else rows.push(row)
    }
  }

  const tail = options.tail
  const historyCounts = { kept: 0, filled: 0 }
  const migrated: MigratedProduct[] = winners.map((w) => {
    const platformCountry = platformCountryOf(w.platform, w.country)
    const { product, provider } = mapProduct(w.legacy, platformCountry)
    const h = mapHistories(product, rowsByKey.get(w.naturalKey) ?? [], tail && seedOf(tail, product.id))
    historyCounts.kept += h.kept
    historyCounts.filled += h.filled
    droppedHistories.push(...h.dropped)
    const { multimedia, gallery } = mapGallery(product.id, w.country, w.legacy.gallery, cfg.legacyS3Bucket)
    return { legacy: w.legacy, product, platformCountry, provider, histories: h.histories, multimedia, gallery }
  })
  droppedHistories.sort((a, b) => byUuid(a.row, b.row))
  return { key: group.key, migrated, excluded, rejected, historyCounts, droppedHistories }
}
