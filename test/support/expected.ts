import pg from "pg"
import { mappingConfig } from "../../src/mapping/config"
import { mapGroup } from "../../src/mapping/group"
import { resolveProviders } from "../../src/mapping/provider"
import type { LegacyGroup, LegacyHistory, LegacyProduct, ProviderClaim } from "../../src/mapping/types"

export type Row = Record<string, unknown>

export interface V3Tables {
  platform_countries: Row[]
  providers: Row[]
  products: Row[]
  histories: Row[]
  multimedia: Row[]
}

const order = (rows: Row[]) => rows.sort((a, b) => (String(a["id"]) < String(b["id"]) ? -1 : String(a["id"]) > String(b["id"]) ? 1 : 0))

/**
 * What v3 must hold for a (small) legacy database: every group mapped in memory with
 * src/mapping, providers resolved over all claims. Uses none of the pipeline's extract,
 * transform or load code, so it checks them independently.
 */
export async function expectedV3(legacyUrl: string, env: { excludedPlatforms?: string } = {}) {
  const client = new pg.Client({ connectionString: legacyUrl })
  await client.connect()
  try {
    const products = (await client.query<{ j: LegacyProduct }>("SELECT row_to_json(p) AS j FROM product p")).rows.map((r) => r.j)
    const histories = (await client.query<{ j: LegacyHistory }>("SELECT row_to_json(h) AS j FROM history h")).rows.map((r) => r.j)
    const groups = new Map<string, LegacyGroup>()
    const group = (key: string) => {
      let g = groups.get(key)
      if (!g) groups.set(key, (g = { key, products: [], histories: [] }))
      return g
    }
    for (const p of products) group(p.external_id).products.push(p)
    for (const h of histories) group(h.external_product_id).histories.push(h)
    const cfg = mappingConfig(env)
    const tables: V3Tables = { platform_countries: [], providers: [], products: [], histories: [], multimedia: [] }
    const claims: ProviderClaim[] = []
    const pcs = new Map<string, Row>()
    const counts: Record<string, number> = {}
    const add = (k: string, n = 1) => n && (counts[k] = (counts[k] ?? 0) + n)
    for (const g of groups.values()) {
      const r = mapGroup(g, cfg)
      add("products.migrated", r.migrated.length)
      add("products.excluded", r.excluded.length)
      add("histories.kept", r.historyCounts.kept)
      add("histories.filled", r.historyCounts.filled)
      for (const x of r.rejected) add(`products.rejected.${x.reason}`)
      for (const d of r.droppedHistories) add(`histories.dropped.${d.reason}`)
      for (const m of r.migrated) {
        tables.products.push({ ...m.product })
        tables.histories.push(...m.histories.map((h) => ({ ...h })))
        tables.multimedia.push(...m.multimedia.map((x) => ({ ...x })))
        pcs.set(m.platformCountry.id, { ...m.platformCountry })
        claims.push(m.provider)
        add("multimedia.migrated", m.multimedia.length)
        if (m.gallery.invalid) add("gallery.invalid")
        for (const d of m.gallery.dropped) add(`multimedia.dropped.${d.reason}`)
      }
    }
    tables.platform_countries = [...pcs.values()]
    tables.providers = resolveProviders(claims).map((p) => ({ ...p }))
    for (const t of Object.values(tables)) order(t)
    return { tables, counts, legacyProducts: products.length, legacyHistories: histories.length }
  }
  finally {
    await client.end()
  }
}

/** The contract's tables as v3 holds them, in the same shapes (timestamps and dates as text). */
export async function actualV3(v3Url: string): Promise<V3Tables> {
  const client = new pg.Client({ connectionString: v3Url })
  await client.connect()
  try {
    const q = async (sql: string) => order((await client.query<Row>(sql)).rows)
    return {
      platform_countries: await q("SELECT id, platform_id, country_id FROM platform_countries"),
      providers: await q("SELECT id, platform_country_id, external_id, name, verified FROM providers"),
      products: await q(`SELECT id, external_id, name, description, sale_price, suggested_price, stock, total_billing,
        billing_last_7_days, billing_last_30_days, total_sold_units, sold_units_last_7_days, sold_units_last_30_days,
        variations_amount, score, status::text AS status, platform_country_id, base_category_id, provider_id,
        to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS created_at, to_char(updated_at, 'YYYY-MM-DD HH24:MI:SS') AS updated_at
        FROM products`),
      histories: await q(`SELECT id, product_id, date::text AS date, stock, sale_price, suggested_price, sold_units, billing,
        sold_units_last_7_days, sold_units_last_30_days, total_sold_units, billing_last_7_days, billing_last_30_days,
        total_billing, stock_adjustment, stock_adjustment_reason, filled FROM histories`),
      multimedia: await q("SELECT id, product_id, position, type, url, original_url, extracted FROM multimedia"),
    }
  } finally {
    await client.end()
  }
}

/** Row versions of every contract table: unchanged when a run wrote nothing. */
export async function rowVersions(v3Url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: v3Url })
  await client.connect()
  try {
    const out: Record<string, string> = {}
    for (const t of ["platform_countries", "providers", "products", "histories", "multimedia"]) {
      out[t] = (await client.query<{ v: string }>(`SELECT md5(coalesce(string_agg(xmin::text || ctid::text, ',' ORDER BY id), '')) AS v FROM ${t}`)).rows[0]!.v
    }
    return out
  } finally {
    await client.end()
  }
}
