import type { LegacyHistory, LegacyProduct } from "../../src/mapping/types"
import { legacyHistory as baseHistory, legacyProduct as baseProduct, uuid } from "../mapping/support"

let n = 0

/** A valid legacy product with a uuid and external_id of its own (tests that load several); override any field. */
export function legacyProduct(overrides: Partial<LegacyProduct> = {}): LegacyProduct {
  n += 1
  return baseProduct({
    uuid: uuid(n),
    external_id: `ext-${n}`,
    name: `Product ${n}`,
    gallery: [{ url: "products/a.jpg" }],
    provider: { name: "Proveedor", externalId: "77", verified: false },
    ...overrides,
  })
}

/** A legacy history row of `product` on `date`, with a uuid of its own; override any field. */
export function legacyHistory(product: LegacyProduct, date: string, overrides: Partial<LegacyHistory> = {}): LegacyHistory {
  n += 1
  return baseHistory({
    uuid: uuid(1_000_000 + n),
    external_product_id: product.external_id,
    country: product.country,
    platform: product.platform,
    date,
    sales_amount: 200,
    sold_units: 2,
    stock_adjustment: null,
    ...overrides,
  })
}
