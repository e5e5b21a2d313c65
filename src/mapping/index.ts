/** The data-mapping core: pure functions from legacy rows to v3 rows (MAPPING.md). */
export { categoryId, categoryIdForName, categoryKey, otherCategoryId } from "./category"
export { naturalKey, recencyKey, resolveCollisions } from "./collision"
export type { CollisionCandidate } from "./collision"
export {
  defaultExcludedPlatforms,
  defaultLegacyS3Bucket,
  excludedPlatformKey,
  mappingConfig,
  parseExcludedPlatforms,
} from "./config"
export {
  dateOfDay,
  dayNumber,
  daysFromCivil,
  daysInMonth,
  isLeapYear,
  midnight,
  minHistoryDate,
  parseHistoryDate,
  parseHistoryDay,
} from "./dates"
export type { HistoryDay } from "./dates"
export { mapGroup } from "./group"
export { datedRow, keepsOver, mapHistories } from "./histories"
export { tailBounds } from "./tails"
export type { DatedRow, ProductHistories } from "./histories"
export { fieldOr, isJsonObject, ownField, readJsonb } from "./json"
export type { JsonbRead } from "./json"
export { mapGallery } from "./multimedia"
export type { ProductGallery } from "./multimedia"
export { isBadNumber, orZero, roundHalfUp, toNumber } from "./numbers"
export { countryCode, excludedPlatformSet, isExcludedIn, isExcludedPlatform, platformType } from "./platform"
export { mapProduct, platformCountryOf, productName, screenProduct, variationsAmount } from "./products"
export type { ProductScreen } from "./products"
export { addClaims, externalIdText, parseProvider, providerClaim, providerRows, resolveProviders } from "./provider"
export type { ParsedProvider } from "./provider"
export * from "./reference"
export { compareText, normalizeText, trimToNull } from "./text"
export type * from "./types"
export { cloudFrontHost, finalUrl, legacyBucketKey, mediaType, readReference, urlPath } from "./urls"
export type { Reference } from "./urls"
