import { mappingConfig } from "../../src/mapping"
import type { LegacyGroup, LegacyHistory, LegacyProduct, MappingConfig } from "../../src/mapping"

/** The default configuration: EXCLUDED_PLATFORMS=rocketfy, LEGACY_S3_BUCKET=dropkiller. */
export const cfg: MappingConfig = mappingConfig()

export const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`

/** A legacy product that migrates as is; override what a test is about. */
export function legacyProduct(overrides: Partial<LegacyProduct> = {}): LegacyProduct {
  return {
    uuid: uuid(1),
    platform: "dropi",
    country: "CO",
    external_id: "100",
    name: "Producto",
    description: null,
    sale_price: 1000,
    suggested_price: 2000,
    stock: 10,
    total_sales_amount: 0,
    total_sold_units: 0,
    sales_last_7_days: 0,
    sales_last_30_days: 0,
    sold_units_last_7_days: 0,
    sold_units_last_30_days: 0,
    variations_amount: 0,
    score: 0,
    visible: true,
    categories: [{ name: "Hogar" }],
    gallery: [],
    provider: { externalId: "77", name: "Proveedor", verified: false },
    created_at: "2024-01-01",
    updated_at: "2024-01-01",
    ...overrides,
  }
}

/** A legacy history row of legacyProduct(); override what a test is about. */
export function legacyHistory(overrides: Partial<LegacyHistory> = {}): LegacyHistory {
  return {
    uuid: uuid(1000),
    external_product_id: "100",
    country: "CO",
    platform: "dropi",
    date: "2024-01-01",
    stock: 5,
    sale_price: 1000,
    sales_amount: 0,
    sold_units: 0,
    stock_adjustment: false,
    stock_adjustment_reason: null,
    ...overrides,
  }
}

export function group(products: LegacyProduct[], histories: LegacyHistory[] = []): LegacyGroup {
  return { key: products[0]?.external_id ?? histories[0]?.external_product_id ?? "", products, histories }
}
