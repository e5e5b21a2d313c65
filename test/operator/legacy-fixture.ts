import { readFileSync } from "node:fs"
import { join } from "node:path"
import pg from "pg"
import { projectRoot } from "../../src/local/paths"
import type { LegacyHistory, LegacyProduct } from "../../src/mapping/types"
import { legacyHistory, legacyProduct } from "../support/legacy-rows"
import { createDatabase } from "../support/pg"

/** Days from 2024-03-01, as 'YYYY-MM-DD'. */
const day = (n: number) => new Date(Date.UTC(2024, 2, 1 + n)).toISOString().slice(0, 10)

/** History rows for a product: a gap, a re-scrape, odd date spellings, garbage. */
function historyOf(p: LegacyProduct, quirks: boolean): LegacyHistory[] {
  const rows = [0, 1, 2, 5, 6].map((d) => legacyHistory(p, day(d), { stock: 10 + d, sold_units: d % 3, sales_amount: d * 100 }))
  if (quirks) {
    rows.push(
      legacyHistory(p, day(2), { sold_units: 9, stock: 1 }),
      legacyHistory(p, `${day(7)}T10:00:00Z`, { sold_units: "NaN", stock_adjustment: true, stock_adjustment_reason: "  conteo  " }),
      legacyHistory(p, "09/03/2024", { sale_price: -5 }),
      legacyHistory(p, "not a date"),
      legacyHistory(p, "2014-12-31"),
      legacyHistory(p, day(3), { platform: "Dropi ", country: "co" }),
    )
  }
  return rows
}

/**
 * A small legacy catalog with the quirks MAPPING.md names: spellings of platforms and
 * countries, collisions, excluded and rejected products, double-encoded and broken JSON,
 * gallery items of every kind, shared providers, and history rows with gaps, re-scrapes,
 * odd dates and orphans. `products` extra plain products make batches for the pipeline.
 */
export function legacyCatalog(extra = 0): { products: LegacyProduct[]; histories: LegacyHistory[] } {
  const gallery = [
    { url: "products/a.jpg", sourceUrl: " https://supplier.example/a.jpg " },
    { url: "https://dropkiller.s3.us-east-1.amazonaws.com/products/b.mp4?X=1" },
    { url: "http://cdn.example/c.png" },
    { url: "URL_NOT_FOUND", sourceUrl: "//cdn.example/d.webm" },
    { url: "imagen no disponible" },
    { url: "/products/a.jpg" },
    "not an object",
  ]
  const products: LegacyProduct[] = [
    legacyProduct({ external_id: "k-shared-1", platform: " Dropi", country: "co", provider: { externalId: "77", name: "Old name", verified: false }, updated_at: "2024-01-01" }),
    legacyProduct({ external_id: "k-shared-1", platform: "dropi", country: "CO1", gallery, name: "  Lámpara   LED ", provider: JSON.stringify({ external_id: 77, provider_name: "New  name", verified: true }), updated_at: "2024-02-01" }),
    legacyProduct({ external_id: "k-rocket", platform: "Rocketfy", country: "CO" }),
    legacyProduct({ external_id: "k-unknown", platform: "shopify", country: "CO" }),
    legacyProduct({ external_id: "k-country", platform: "dropi", country: "XX" }),
    legacyProduct({ external_id: "k-price", platform: "dropi", country: "CO", sale_price: "NaN" }),
    legacyProduct({ external_id: "k-seventy", platform: "seventy_block", country: " MX ", categories: '[{"name":"BELLEZA"}]', variations_amount: 2.5, stock: -3 }),
    legacyProduct({ external_id: "k-wimppy", platform: "wimppy", country: "AR", gallery: '[{"url":"x/y.jpg"}]', provider: "{not json" }),
    legacyProduct({ external_id: "k-dropea", platform: "Dropea", country: "gt", gallery: "[broken", visible: false, description: "  algo  " }),
    legacyProduct({ external_id: "k-provider", platform: "dropi", country: "CO", provider: { externalId: "77", name: "Newest", verified: false }, updated_at: "2023-06-01" }),
  ]
  for (let i = 0; i < extra; i++) products.push(legacyProduct({ external_id: `k-plain-${String(i).padStart(3, "0")}`, country: i % 2 ? "MX" : "CO" }))
  const histories = products.flatMap((p, i) => historyOf(p, i < 10))
  const orphan = legacyProduct({ external_id: "k-orphan" })
  histories.push(...historyOf(orphan, false))
  return { products, histories }
}

export async function insertLegacy(url: string, rows: { products: LegacyProduct[]; histories: LegacyHistory[] }): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query("INSERT INTO product SELECT * FROM json_populate_recordset(null::product, $1::json)", [JSON.stringify(rows.products)])
    await client.query("INSERT INTO history SELECT * FROM json_populate_recordset(null::history, $1::json)", [JSON.stringify(rows.histories)])
  } finally {
    await client.end()
  }
}

export type Catalog = ReturnType<typeof legacyCatalog>

/** A fresh legacy database with the legacy schema and the catalog above. */
export async function createFixtureLegacyDatabase(extra = 0): Promise<{ name: string; url: string; catalog: Catalog }> {
  const db = await createDatabase("t_legacy")
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  try {
    await client.query(readFileSync(join(projectRoot, "src", "db", "legacy", "legacy-schema.sql"), "utf8"))
  } finally {
    await client.end()
  }
  const catalog = legacyCatalog(extra)
  await insertLegacy(db.url, catalog)
  return { ...db, catalog }
}
