import { categoryId } from "./category"
import { midnight } from "./dates"
import { INT4_MAX, isBadNumber, orZero, roundHalfUp, toNumber } from "./numbers"
import { countryCode, isExcludedIn, platformType } from "./platform"
import { parseProvider, providerClaim } from "./provider"
import { type CountryCode, type PlatformType, platformCountryId } from "./reference"
import { recencyKey } from "./collision"
import { normalizeText, trimToNull } from "./text"
import type { LegacyNumber, LegacyProduct, ProductRejection, ProviderClaim, V3PlatformCountry, V3Product } from "./types"

/** Outcome of MAPPING.md Products rules 1–4 for one product (rule 5 needs the whole group). */
export type ProductScreen =
  | { kind: "excluded" }
  | { kind: "rejected"; reason: ProductRejection }
  | { kind: "accepted"; platform: PlatformType; country: CountryCode }

/** MAPPING.md Products rules 1–4, in order; the first that applies decides. */
export function screenProduct(p: LegacyProduct, excluded: ReadonlySet<string>): ProductScreen {
  if (isExcludedIn(p.platform, excluded)) return { kind: "excluded" }
  const platform = platformType(p.platform)
  if (platform === null) return { kind: "rejected", reason: "unknown_platform" }
  const country = countryCode(p.country)
  if (country === null) return { kind: "rejected", reason: "invalid_country" }
  if (isBadNumber(toNumber(p.sale_price))) return { kind: "rejected", reason: "invalid_price" }
  return { kind: "accepted", platform, country }
}

/** The platform_countries row, created on demand (MAPPING.md products.platform_country_id). */
export function platformCountryOf(platform: PlatformType, country: CountryCode): V3PlatformCountry {
  return { id: platformCountryId(platform, country), platform_id: platform, country_id: country }
}

/**
 * MAPPING.md products.variations_amount: bad → 0, else rounded halves up; a rounded value beyond
 * the `integer` range is a bad number too → 0.
 */
export function variationsAmount(raw: LegacyNumber): number {
  const n = toNumber(raw)
  if (isBadNumber(n)) return 0
  const rounded = roundHalfUp(n)
  return rounded > INT4_MAX ? 0 : rounded
}

/** MAPPING.md products.name: normalized, empty → 'Sin nombre'. */
export function productName(raw: unknown): string {
  const name = typeof raw === "string" ? normalizeText(raw) : ""
  return name === "" ? "Sin nombre" : name
}

/** Every field of a product that passed rules 1–5 (MAPPING.md "Fields of a migrated product"). */
export function mapProduct(
  p: LegacyProduct,
  platformCountry: V3PlatformCountry,
): { product: V3Product; provider: ProviderClaim } {
  const provider = providerClaim(platformCountry, parseProvider(p.provider), recencyKey(p))
  const product: V3Product = {
    id: p.uuid,
    external_id: p.external_id,
    name: productName(p.name),
    // Decision: description is trimmed only, inner whitespace kept.
    description: trimToNull(p.description),
    sale_price: toNumber(p.sale_price),
    suggested_price: orZero(p.suggested_price),
    stock: orZero(p.stock),
    total_billing: orZero(p.total_sales_amount),
    billing_last_7_days: orZero(p.sales_last_7_days),
    billing_last_30_days: orZero(p.sales_last_30_days),
    total_sold_units: orZero(p.total_sold_units),
    sold_units_last_7_days: orZero(p.sold_units_last_7_days),
    sold_units_last_30_days: orZero(p.sold_units_last_30_days),
    variations_amount: variationsAmount(p.variations_amount),
    score: p.score,
    status: p.visible === true ? "ACTIVE" : "INACTIVE",
    platform_country_id: platformCountry.id,
    base_category_id: categoryId(p.categories),
    provider_id: provider.provider.id,
    created_at: midnight(p.created_at),
    updated_at: midnight(p.updated_at),
  }
  return { product, provider }
}
