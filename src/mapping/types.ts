import type { CountryCode, PlatformType, ProductStatus } from "./reference"

/**
 * A legacy double precision value as PostgreSQL's to_json renders it: finite values are JSON
 * numbers, NaN and the infinities are the strings "NaN", "Infinity", "-Infinity".
 */
export type LegacyNumber = number | string

/** A legacy `product` row, as row_to_json(product) renders it (jsonb columns arrive parsed). */
export interface LegacyProduct {
  uuid: string
  platform: string
  country: string
  external_id: string
  name: string
  description: string | null
  sale_price: LegacyNumber
  suggested_price: LegacyNumber
  stock: LegacyNumber
  total_sales_amount: LegacyNumber
  total_sold_units: LegacyNumber
  sales_last_7_days: LegacyNumber
  sales_last_30_days: LegacyNumber
  sold_units_last_7_days: LegacyNumber
  sold_units_last_30_days: LegacyNumber
  variations_amount: LegacyNumber
  score: number
  visible: boolean
  categories: unknown
  gallery: unknown
  provider: unknown
  /** 'YYYY-MM-DD' */
  created_at: string
  /** 'YYYY-MM-DD' */
  updated_at: string
}

/** A legacy `history` row. */
export interface LegacyHistory {
  uuid: string
  external_product_id: string
  country: string
  platform: string
  date: string
  stock: LegacyNumber
  sale_price: LegacyNumber
  sales_amount: LegacyNumber
  sold_units: LegacyNumber
  stock_adjustment: boolean | null
  stock_adjustment_reason: string | null
}

/** Every legacy product and history row sharing one `external_id`: the unit the mapping works on. */
export interface LegacyGroup {
  key: string
  products: LegacyProduct[]
  histories: LegacyHistory[]
}

export interface MappingConfig {
  /** Normalized, lower-cased platform names (MAPPING.md Products rule 1). */
  excludedPlatforms: ReadonlySet<string>
  /** LEGACY_S3_BUCKET (MAPPING.md Multimedia rule 2). */
  legacyS3Bucket: string
}

export interface V3PlatformCountry {
  id: string
  platform_id: PlatformType
  country_id: CountryCode
}

export interface V3Provider {
  id: string
  platform_country_id: string
  external_id: string
  name: string
  verified: boolean
}

export interface V3Product {
  id: string
  external_id: string
  name: string
  description: string | null
  sale_price: number
  suggested_price: number
  stock: number
  total_billing: number
  billing_last_7_days: number
  billing_last_30_days: number
  total_sold_units: number
  sold_units_last_7_days: number
  sold_units_last_30_days: number
  variations_amount: number
  score: number
  status: ProductStatus
  platform_country_id: string
  base_category_id: string
  provider_id: string
  /** 'YYYY-MM-DD 00:00:00' */
  created_at: string
  /** 'YYYY-MM-DD 00:00:00' */
  updated_at: string
}

export interface V3History {
  id: string
  product_id: string
  /** 'YYYY-MM-DD' */
  date: string
  stock: number
  sale_price: number
  suggested_price: number
  sold_units: number
  billing: number
  sold_units_last_7_days: number
  sold_units_last_30_days: number
  total_sold_units: number
  billing_last_7_days: number
  billing_last_30_days: number
  total_billing: number
  stock_adjustment: boolean
  stock_adjustment_reason: string | null
  filled: boolean
}

export interface V3Multimedia {
  id: string
  product_id: string
  position: number
  type: "image" | "video"
  url: string
  original_url: string | null
  extracted: boolean
}

export type ProductRejection = "unknown_platform" | "invalid_country" | "invalid_price" | "duplicate_product"
export type HistoryDrop = "excluded" | "orphan" | "invalid_date" | "duplicate"
export type GalleryItemDrop = "invalid_url" | "duplicate"

/** How mapGroup treats history rows whose key matches no product passed in the group. */
export interface MapGroupOptions {
  /**
   * "drop" (default): such rows are dropped `orphan` (or `excluded`). "ignore": used by TEST_MODE,
   * where only some products of a group are in the run; such rows are left out of the result.
   */
  unmatchedHistories?: "drop" | "ignore"
  /**
   * Incremental runs, a group that only gained history rows: the legacy rows sent are those dated
   * `cut` or later (and some with invalid dates), and each migrated product's v3 rows before
   * `cut`, which stand, seed its mapping (src/mapping/histories.ts). Absent: the rows are all of them.
   */
  tail?: { cut: string; seeds: Readonly<Record<string, HistorySeed>> }
}

/** What v3 holds of a product before a tail's cut: enough to map its rows from the cut on. */
export interface HistorySeed {
  /** The product's first v3 date, null when it has no rows. */
  first: string | null
  /** Its last kept row before the cut, which later filled rows copy and where its running totals stand; null when none. */
  last: { date: string; stock: number; sale_price: number; total_sold_units: number; total_billing: number } | null
  /** sold_units and billing of its (at most 30) v3 rows ending at `last`, ascending by date, consecutive days. */
  sold: number[]
  billing: number[]
}

/** A migrated product's claim on its provider row (MAPPING.md Products, Provider). */
export interface ProviderClaim {
  /** For the unknown provider: external_id 'unknown', name 'Proveedor desconocido', verified false. */
  provider: V3Provider
  unknown: boolean
  /** Ordering key: the greatest claimKey among migrated products naming a provider gives its name/verified. */
  claimKey: string
}

export interface MigratedProduct {
  legacy: LegacyProduct
  product: V3Product
  platformCountry: V3PlatformCountry
  provider: ProviderClaim
  /** Kept and filled rows, ascending by date, rolling figures filled in. */
  histories: V3History[]
  /** Positions 0..n-1. */
  multimedia: V3Multimedia[]
  gallery: { invalid: boolean; dropped: Array<{ index: number; item: unknown; reason: GalleryItemDrop }> }
}

export interface GroupResult {
  key: string
  migrated: MigratedProduct[]
  excluded: LegacyProduct[]
  rejected: Array<{ legacy: LegacyProduct; reason: ProductRejection }>
  historyCounts: { kept: number; filled: number }
  droppedHistories: Array<{ row: LegacyHistory; reason: HistoryDrop }>
}
