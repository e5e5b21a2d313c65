import type { V3PlatformCountry, V3Product, V3Provider } from "../mapping/types"
import { type Fields, isArrayOf, isRecord, isString, isStringArray, json, runFields, type RunTag, runTag } from "./fields"

/** A group key with the legacy signature of its products (null when extract sent none). */
export type KeySig = [key: string, sig: string | null]

/** A product's claim on its provider: name and verified of the latest claim win (MAPPING.md, Provider). */
export type ProviderClaimRow = [productId: string, providerId: string, claimKey: string, name: string, verified: boolean]

/**
 * A products stream entry: what load-products writes for one transformed batch. Produced by
 * transform, consumed by load-products (src/load/products.ts).
 */
export interface ProductsMessage extends RunTag {
  keys: KeySig[]
  platformCountries: V3PlatformCountry[]
  providers: V3Provider[]
  claims: ProviderClaimRow[]
  products: V3Product[]
  /** Products of these groups not migrated now (rejected): v3 keeps an earlier version if it has one. */
  notMigrated: string[]
}

export type ProductsPayload = Omit<ProductsMessage, keyof RunTag>

export function encodeProducts(m: ProductsMessage): Record<string, string> {
  const { run, test, ...payload } = m
  return { ...runFields({ run, test }), payload: JSON.stringify(payload) }
}

const isKeySig = (v: unknown): v is KeySig => Array.isArray(v) && v.length === 2 && isString(v[0]) && (v[1] === null || isString(v[1]))
const hasIds = (...names: string[]) => (v: unknown): v is never => isRecord(v) && names.every((n) => isString(v[n]))
const isClaim = (v: unknown): v is ProviderClaimRow =>
  Array.isArray(v) && v.length === 5 && isString(v[0]) && isString(v[1]) && isString(v[2]) && isString(v[3]) && typeof v[4] === "boolean"
const isPayload = (v: unknown): v is ProductsPayload =>
  isRecord(v) &&
  isArrayOf(isKeySig)(v["keys"]) &&
  isArrayOf(hasIds("id", "platform_id", "country_id"))(v["platformCountries"]) &&
  isArrayOf(hasIds("id", "platform_country_id", "external_id", "name"))(v["providers"]) &&
  isArrayOf(isClaim)(v["claims"]) &&
  isArrayOf(hasIds("id", "external_id", "platform_country_id", "provider_id"))(v["products"]) &&
  isStringArray(v["notMigrated"])

export function decodeProducts(f: Fields): ProductsMessage {
  return { ...runTag(f, "products"), ...json(f, "payload", "products", isPayload, "a products payload") }
}
