import type { LegacyHistory, LegacyProduct } from "../../src/mapping/types"

let n = 0
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`

/** A valid legacy product; override any field. */
export function legacyProduct(overrides: Partial<LegacyProduct> = {}): LegacyProduct {
  n += 1
  return {
    uuid: uuid(n),
    platform: "dropi",
    country: "CO",
    external_id: `ext-${n}`,
    name: `Product ${n}`,
    description: null,
    sale_price: 100,
    suggested_price: 150,
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
    gallery: [{ url: "products/a.jpg" }],
    provider: { name: "Proveedor", externalId: "77", verified: false },
    created_at: "2024-01-01",
    updated_at: "2024-01-01",
    ...overrides,
  }
}

/** A legacy history row for `product` on `date`; override any field. */
export function legacyHistory(product: LegacyProduct, date: string, overrides: Partial<LegacyHistory> = {}): LegacyHistory {
  n += 1
  return {
    uuid: uuid(1_000_000 + n),
    external_product_id: product.external_id,
    country: product.country,
    platform: product.platform,
    date,
    stock: 5,
    sale_price: 100,
    sales_amount: 200,
    sold_units: 2,
    stock_adjustment: null,
    stock_adjustment_reason: null,
    ...overrides,
  }
}
