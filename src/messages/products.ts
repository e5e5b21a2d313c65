import type { V3PlatformCountry, V3Product, V3Provider } from "../mapping/types"
import { type Fields, isArrayOf, isRecord, isString, isStringArray, json, runFields, type RunTag, runTag } from "./fields"

/** A product's claim on its provider: name and verified of the latest claim win (MAPPING.md, Provider). */
export type ProviderClaimRow = [productId: string, providerId: string, claimKey: string, name: string, verified: boolean]

/** One legacy group's part of a products entry: what load-products writes for it. */
export interface ProductGroup {
  key: string
  /** The legacy signature of the group's products (null when extract sent none). */
  sig: string | null
  products: V3Product[]
  claims: ProviderClaimRow[]
  /** Products of the group not migrated now (rejected): v3 keeps an earlier version if it has one. */
  notMigrated: string[]
}

/**
 * A products stream entry: what load-products writes for one transformed batch, group by group
 * (a group is the unit a failing row is isolated in, src/load/isolate.ts), with the
 * platform-countries and providers its products name. Produced by transform, consumed by
 * load-products (src/load/products.ts).
 */
export interface ProductsMessage extends RunTag {
  groups: ProductGroup[]
  platformCountries: V3PlatformCountry[]
  providers: V3Provider[]
}

export type ProductsPayload = Omit<ProductsMessage, keyof RunTag>

/**
 * Names the payload's fields rather than spreading the message: a caller passing a wider object
 * (transform once passed its whole extract batch as the tag) must not ship it along. It did:
 * products entries carried every legacy row of their batch, 60 % of their bytes.
 */
export function encodeProducts(m: ProductsMessage): Record<string, string> {
  const payload: ProductsPayload = { groups: m.groups, platformCountries: m.platformCountries, providers: m.providers }
  return { ...runFields(m), payload: JSON.stringify(payload) }
}

const hasIds = (...names: string[]) => (v: unknown): v is never => isRecord(v) && names.every((n) => isString(v[n]))
const isClaim = (v: unknown): v is ProviderClaimRow =>
  Array.isArray(v) && v.length === 5 && isString(v[0]) && isString(v[1]) && isString(v[2]) && isString(v[3]) && typeof v[4] === "boolean"
const isGroup = (v: unknown): v is ProductGroup =>
  isRecord(v) &&
  isString(v["key"]) &&
  (v["sig"] === null || isString(v["sig"])) &&
  isArrayOf(hasIds("id", "external_id", "platform_country_id", "provider_id"))(v["products"]) &&
  isArrayOf(isClaim)(v["claims"]) &&
  isStringArray(v["notMigrated"])
const isPayload = (v: unknown): v is ProductsPayload =>
  isRecord(v) &&
  isArrayOf(isGroup)(v["groups"]) &&
  isArrayOf(hasIds("id", "platform_id", "country_id"))(v["platformCountries"]) &&
  isArrayOf(hasIds("id", "platform_country_id", "external_id", "name"))(v["providers"])

export function decodeProducts(f: Fields): ProductsMessage {
  return { ...runTag(f, "products"), ...json(f, "payload", "products", isPayload, "a products payload") }
}

/** The part of a payload its `groups` need: the platform-countries and providers their products name. */
export function payloadOf(m: ProductsPayload, groups: ProductGroup[]): ProductsPayload {
  const providerIds = new Set(groups.flatMap((g) => g.products.map((p) => p.provider_id)))
  const providers = m.providers.filter((p) => providerIds.has(p.id))
  const pcIds = new Set([...groups.flatMap((g) => g.products.map((p) => p.platform_country_id)), ...providers.map((p) => p.platform_country_id)])
  return { groups, providers, platformCountries: m.platformCountries.filter((pc) => pcIds.has(pc.id)) }
}
