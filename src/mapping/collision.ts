import { platformCountryId } from "./reference"
import type { CountryCode, PlatformType } from "./reference"

/**
 * Ordering key of a legacy product: plain byte-wise comparison orders by later `updated_at`
 * ('YYYY-MM-DD', fixed width) then greater `uuid`. The loaders take max() of it in SQL with
 * COLLATE "C", so it must stay ASCII and fixed-layout.
 */
export function recencyKey(p: { updated_at: string; uuid: string }): string {
  return `${p.updated_at} ${p.uuid.toLowerCase()}`
}

/** MAPPING.md Products rule 5: the natural key (platform type, country code, external_id). */
export function naturalKey(platform: PlatformType, country: CountryCode, externalId: string): string {
  // Both fixed-set parts come first, so the free-text external id cannot make two keys equal.
  return `${platformCountryId(platform, country)}:${externalId}`
}

export interface CollisionCandidate {
  naturalKey: string
  recencyKey: string
}

/**
 * MAPPING.md Products rule 5: among candidates sharing a natural key, the greatest recencyKey wins
 * (later updated_at, ties by greater uuid); the others lose with `duplicate_product`. Winners and
 * losers keep the input's relative order; which one wins never depends on it.
 */
export function resolveCollisions<T extends CollisionCandidate>(candidates: readonly T[]): { winners: T[]; losers: T[] } {
  const best = new Map<string, T>()
  for (const c of candidates) {
    const current = best.get(c.naturalKey)
    if (current === undefined || c.recencyKey > current.recencyKey) best.set(c.naturalKey, c)
  }
  const winners: T[] = []
  const losers: T[] = []
  for (const c of candidates) (best.get(c.naturalKey) === c ? winners : losers).push(c)
  return { winners, losers }
}
