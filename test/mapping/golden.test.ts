import { describe, expect, it } from "vitest"
import { mapGroup, resolveProviders } from "../../src/mapping"
import type { GroupResult, LegacyHistory, LegacyProduct, V3History } from "../../src/mapping"
import { cfg } from "./support"

/*
 * A hand-written legacy group and, written out by hand from MAPPING.md, the exact v3 rows it must
 * produce. Nothing below the fixture is computed by the code under test.
 */

const P1 = "11111111-1111-4111-8111-111111111111" // migrated (DROPI:CO), wins the collision with P2
const P2 = "22222222-2222-4222-8222-222222222222" // same key as P1, older updated_at, greater uuid
const P3 = "33333333-3333-4333-8333-333333333333" // rocketfy: excluded
const P4 = "44444444-4444-4444-8444-444444444444" // wimppy MX with a NaN price: rejected
const P5 = "55555555-5555-4555-8555-555555555555" // migrated (SEVENTY_BLOCK:MX), everything odd
const H = (n: number): string => `a0000000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`

const base = {
  external_id: "5001",
  description: null,
  suggested_price: 0,
  stock: 0,
  total_sales_amount: 0,
  total_sold_units: 0,
  sales_last_7_days: 0,
  sales_last_30_days: 0,
  sold_units_last_7_days: 0,
  sold_units_last_30_days: 0,
  variations_amount: 0,
  score: 0,
  visible: true,
  categories: [],
  gallery: [],
  provider: {},
  created_at: "2024-01-10",
  updated_at: "2024-01-10",
}

const p1: LegacyProduct = {
  ...base,
  uuid: P1,
  platform: " Dropi",
  country: "co",
  name: "  Lámpara   LED ",
  description: "  Luz  cálida \n",
  sale_price: 45900,
  suggested_price: 79900,
  stock: 12,
  total_sales_amount: 91800,
  total_sold_units: 2,
  sales_last_7_days: 45900,
  sales_last_30_days: "NaN",
  sold_units_last_7_days: 1,
  sold_units_last_30_days: -2,
  variations_amount: 2.5,
  score: 7,
  categories: '[{"name":"TECNOLOGÍA","externalId":"12"}]',
  gallery: [
    { url: "products/5001/a.jpg", sourceUrl: " https://supplier.example/a.jpg " },
    { url: "https://dropkiller.s3.us-east-1.amazonaws.com/products/5001/b.mp4?X-Amz-Expires=300" },
    { url: "http://cdn.supplier.example/c.png", sourceUrl: "URL_NOT_FOUND" },
    { url: "/products/5001/a.jpg" },
    { url: "URL_NOT_FOUND", sourceUrl: "null" },
    { url: "//cdn.supplier.example/d.webp", sourceUrl: "https://supplier.example/d.webp" },
    { url: "https://s3.amazonaws.com/dropkiller/products/5001/e.jpg" },
  ],
  provider: { provider_name: " Importadora  Sol ", external_id: 4471, verified: true },
  created_at: "2023-05-02",
  updated_at: "2024-03-01",
}
const p2: LegacyProduct = { ...base, uuid: P2, platform: "DROPI", country: "CO1", name: "Lámpara vieja", sale_price: 40000, updated_at: "2024-02-15" }
const p3: LegacyProduct = { ...base, uuid: P3, platform: "Rocketfy", country: "CO", name: "Excluido", sale_price: 10 }
const p4: LegacyProduct = { ...base, uuid: P4, platform: "wimppy", country: "MX", name: "Sin precio", sale_price: "NaN" }
const p5: LegacyProduct = {
  ...base,
  uuid: P5,
  platform: "seventy_block",
  country: " MX ",
  name: "   ",
  description: "   ",
  sale_price: 100,
  suggested_price: "Infinity",
  stock: -3,
  variations_amount: "NaN",
  visible: false,
  categories: "not json",
  gallery: "nope",
  provider: "{bad json",
}

const row = (n: number, fields: Partial<LegacyHistory>): LegacyHistory => ({
  uuid: H(n),
  external_product_id: "5001",
  country: "CO",
  platform: "dropi",
  date: "2024-03-01",
  stock: 0,
  sale_price: 0,
  sales_amount: 0,
  sold_units: 0,
  stock_adjustment: null,
  stock_adjustment_reason: null,
  ...fields,
})

const histories: LegacyHistory[] = [
  row(1, { date: "2024-03-01", stock: 10, sale_price: 45900, sales_amount: 45900, sold_units: 1 }),
  row(2, { platform: " Dropi", country: "co", date: "2024-03-02T09:30:00Z", stock: 9, sale_price: 45900, sales_amount: 91800, sold_units: 2 }),
  // re-scrape of 2024-03-02 under the collision loser's spelling, fewer units: duplicate
  row(3, { platform: "DROPI", country: "CO1", date: "02/03/2024", stock: 9, sale_price: 45900, sales_amount: 45900, sold_units: 1 }),
  row(4, { date: "2024-03-05", stock: 20, sale_price: 44900, stock_adjustment: true, stock_adjustment_reason: "  restock  " }),
  // re-scrape of 2024-03-06: same units, stock NaN (0) loses to stock 5
  row(5, { date: "2024-03-06", stock: "NaN", sale_price: "Infinity", sales_amount: 134700, sold_units: 3 }),
  row(6, { date: "06/03/2024", stock: 5, sale_price: 44900, sales_amount: 134700, sold_units: 3 }),
  row(7, { date: "2024-02-30", stock: 1, sold_units: 9 }),
  row(8, { date: "ayer", stock: 1, sold_units: 9 }),
  row(9, { country: "PE" }),
  row(10, { platform: "rocketfy" }),
  row(11, { platform: "shopify" }),
  row(12, { platform: "wimpy", country: "MX" }),
  row(13, { platform: "Seventy Block", country: "mx", date: "2024-03-01", stock: 4, sale_price: 100, sales_amount: 200, sold_units: 2 }),
  row(14, { platform: "seventy_block", country: "MX", date: "03/03/2024", stock: 3, sale_price: 100, sales_amount: 100, sold_units: 1, stock_adjustment: false, stock_adjustment_reason: "" }),
  row(15, { date: "2024-03-09T23:59:59-05:00", stock: 4, sale_price: 45900, sales_amount: 45900, sold_units: 1 }),
]

// [date, stock, sale_price, suggested_price, sold_units, billing, sold 7d, sold 30d, sold total,
//  billing 7d, billing 30d, billing total, stock_adjustment, reason, filled]
type HistoryLine = [string, number, number, number, number, number, number, number, number, number, number, number, boolean, string | null, boolean]
const v3Histories = (productId: string, lines: HistoryLine[]): V3History[] =>
  lines.map(([date, stock, sale_price, suggested_price, sold_units, billing, s7, s30, st, b7, b30, bt, stock_adjustment, stock_adjustment_reason, filled]) => ({
    id: `${productId}:${date}`,
    product_id: productId,
    date,
    stock,
    sale_price,
    suggested_price,
    sold_units,
    billing,
    sold_units_last_7_days: s7,
    sold_units_last_30_days: s30,
    total_sold_units: st,
    billing_last_7_days: b7,
    billing_last_30_days: b30,
    total_billing: bt,
    stock_adjustment,
    stock_adjustment_reason,
    filled,
  }))

const CF = "https://d39ru7awumhhs2.cloudfront.net"

const expected: GroupResult = {
  key: "5001",
  migrated: [
    {
      legacy: p1,
      product: {
        id: P1,
        external_id: "5001",
        name: "Lámpara LED",
        description: "Luz  cálida",
        sale_price: 45900,
        suggested_price: 79900,
        stock: 12,
        total_billing: 91800,
        billing_last_7_days: 45900,
        billing_last_30_days: 0,
        total_sold_units: 2,
        sold_units_last_7_days: 1,
        sold_units_last_30_days: 0,
        variations_amount: 3,
        score: 7,
        status: "ACTIVE",
        platform_country_id: "DROPI:CO",
        base_category_id: "tecnologia",
        provider_id: "DROPI:CO:4471",
        created_at: "2023-05-02 00:00:00",
        updated_at: "2024-03-01 00:00:00",
      },
      platformCountry: { id: "DROPI:CO", platform_id: "DROPI", country_id: "CO" },
      provider: {
        provider: { id: "DROPI:CO:4471", platform_country_id: "DROPI:CO", external_id: "4471", name: "Importadora Sol", verified: true },
        unknown: false,
        claimKey: `2024-03-01 ${P1}`,
      },
      histories: v3Histories(P1, [
        ["2024-03-01", 10, 45900, 79900, 1, 45900, 1, 1, 1, 45900, 45900, 45900, false, null, false],
        ["2024-03-02", 9, 45900, 79900, 2, 91800, 3, 3, 3, 137700, 137700, 137700, false, null, false],
        ["2024-03-03", 9, 45900, 79900, 0, 0, 3, 3, 3, 137700, 137700, 137700, false, null, true],
        ["2024-03-04", 9, 45900, 79900, 0, 0, 3, 3, 3, 137700, 137700, 137700, false, null, true],
        ["2024-03-05", 20, 44900, 79900, 0, 0, 3, 3, 3, 137700, 137700, 137700, true, "restock", false],
        ["2024-03-06", 5, 44900, 79900, 3, 134700, 6, 6, 6, 272400, 272400, 272400, false, null, false],
        ["2024-03-07", 5, 44900, 79900, 0, 0, 6, 6, 6, 272400, 272400, 272400, false, null, true],
        ["2024-03-08", 5, 44900, 79900, 0, 0, 5, 6, 6, 226500, 272400, 272400, false, null, true],
        ["2024-03-09", 4, 45900, 79900, 1, 45900, 4, 7, 7, 180600, 318300, 318300, false, null, false],
      ]),
      multimedia: [
        { id: `${P1}:0`, product_id: P1, position: 0, type: "image", url: `${CF}/products/5001/a.jpg`, original_url: "https://supplier.example/a.jpg", extracted: false },
        { id: `${P1}:1`, product_id: P1, position: 1, type: "video", url: `${CF}/products/5001/b.mp4`, original_url: null, extracted: false },
        { id: `${P1}:2`, product_id: P1, position: 2, type: "image", url: "https://cdn.supplier.example/c.png", original_url: null, extracted: false },
        { id: `${P1}:3`, product_id: P1, position: 3, type: "image", url: "https://cdn.supplier.example/d.webp", original_url: "https://supplier.example/d.webp", extracted: false },
        { id: `${P1}:4`, product_id: P1, position: 4, type: "image", url: `${CF}/products/5001/e.jpg`, original_url: null, extracted: false },
      ],
      gallery: {
        invalid: false,
        dropped: [
          { index: 3, item: { url: "/products/5001/a.jpg" }, reason: "duplicate" },
          { index: 4, item: { url: "URL_NOT_FOUND", sourceUrl: "null" }, reason: "invalid_url" },
        ],
      },
    },
    {
      legacy: p5,
      product: {
        id: P5,
        external_id: "5001",
        name: "Sin nombre",
        description: null,
        sale_price: 100,
        suggested_price: 0,
        stock: 0,
        total_billing: 0,
        billing_last_7_days: 0,
        billing_last_30_days: 0,
        total_sold_units: 0,
        sold_units_last_7_days: 0,
        sold_units_last_30_days: 0,
        variations_amount: 0,
        score: 0,
        status: "INACTIVE",
        platform_country_id: "SEVENTY_BLOCK:MX",
        base_category_id: "otro",
        provider_id: "SEVENTY_BLOCK:MX:unknown",
        created_at: "2024-01-10 00:00:00",
        updated_at: "2024-01-10 00:00:00",
      },
      platformCountry: { id: "SEVENTY_BLOCK:MX", platform_id: "SEVENTY_BLOCK", country_id: "MX" },
      provider: {
        provider: { id: "SEVENTY_BLOCK:MX:unknown", platform_country_id: "SEVENTY_BLOCK:MX", external_id: "unknown", name: "Proveedor desconocido", verified: false },
        unknown: true,
        claimKey: `2024-01-10 ${P5}`,
      },
      histories: v3Histories(P5, [
        ["2024-03-01", 4, 100, 0, 2, 200, 2, 2, 2, 200, 200, 200, false, null, false],
        ["2024-03-02", 4, 100, 0, 0, 0, 2, 2, 2, 200, 200, 200, false, null, true],
        ["2024-03-03", 3, 100, 0, 1, 100, 3, 3, 3, 300, 300, 300, false, null, false],
      ]),
      multimedia: [],
      gallery: { invalid: true, dropped: [] },
    },
  ],
  excluded: [p3],
  rejected: [
    { legacy: p2, reason: "duplicate_product" },
    { legacy: p4, reason: "invalid_price" },
  ],
  historyCounts: { kept: 7, filled: 5 },
  droppedHistories: [
    { row: histories[2] as LegacyHistory, reason: "duplicate" },
    { row: histories[4] as LegacyHistory, reason: "duplicate" },
    { row: histories[6] as LegacyHistory, reason: "invalid_date" },
    { row: histories[7] as LegacyHistory, reason: "invalid_date" },
    { row: histories[8] as LegacyHistory, reason: "orphan" },
    { row: histories[9] as LegacyHistory, reason: "excluded" },
    { row: histories[10] as LegacyHistory, reason: "orphan" },
    { row: histories[11] as LegacyHistory, reason: "orphan" },
  ],
}

describe("golden: a hand-written legacy group and the v3 rows MAPPING.md demands", () => {
  it("maps the fixture to exactly the hand-written result", () => {
    expect(mapGroup({ key: "5001", products: [p4, p2, p5, p1, p3], histories }, cfg)).toStrictEqual(expected)
  })

  it("maps the fixture the same way in reverse order", () => {
    expect(mapGroup({ key: "5001", products: [p1, p2, p3, p4, p5], histories: [...histories].reverse() }, cfg)).toStrictEqual(expected)
  })

  it("resolves the providers of the fixture", () => {
    const result = mapGroup({ key: "5001", products: [p1, p2, p3, p4, p5], histories }, cfg)
    expect(resolveProviders(result.migrated.map((m) => m.provider))).toEqual([
      { id: "DROPI:CO:4471", platform_country_id: "DROPI:CO", external_id: "4471", name: "Importadora Sol", verified: true },
      { id: "SEVENTY_BLOCK:MX:unknown", platform_country_id: "SEVENTY_BLOCK:MX", external_id: "unknown", name: "Proveedor desconocido", verified: false },
    ])
  })
})
