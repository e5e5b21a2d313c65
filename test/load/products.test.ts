import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inTransaction } from "../../src/db/connect"
import { countPresent, settleAllProviders, writeProducts } from "../../src/load/products"
import { mapGroup } from "../../src/mapping/group"
import { mappingConfig } from "../../src/mapping/config"
import type { LegacyProduct } from "../../src/mapping/types"
import { decodeProducts, type ProductsPayload } from "../../src/messages/products"
import { buildOutputs } from "../../src/transform/outputs"
import { settledConnections } from "../support/leaks"
import { legacyProduct } from "../support/legacy-rows"
import { dropDatabase } from "../support/pg"
import { createV3Database } from "../support/v3"

const cfg = mappingConfig({})
const dbs: { name: string; pool: pg.Pool }[] = []

/** The load-products payload transform would publish for these legacy products (one group per external_id). */
function payloadOf(products: LegacyProduct[]): ProductsPayload {
  const byKey = new Map<string, LegacyProduct[]>()
  for (const p of products) byKey.set(p.external_id, [...(byKey.get(p.external_id) ?? []), p])
  const mapped = [...byKey].map(([key, ps]) => ({ group: { key, products: ps, histories: [] } }))
  const withResults = mapped.map((m) => ({ ...m, result: mapGroup(m.group, cfg) }))
  const out = buildOutputs(withResults, { products: {}, histories: {} }, { run: "r", test: false }, 1000)
  return decodeProducts(out.products)
}

async function freshDb(): Promise<pg.Pool> {
  const db = await createV3Database()
  const pool = new pg.Pool({ connectionString: db.url, max: 2 })
  dbs.push({ name: db.name, pool })
  return pool
}

const load = (pool: pg.Pool, payload: ProductsPayload) => inTransaction(pool, (tx) => writeProducts(tx, payload, "rT"))
const rowVersions = async (pool: pg.Pool, table: string) =>
  (await pool.query<{ v: string }>(`SELECT string_agg(xmin::text, ',' ORDER BY id) AS v FROM ${table}`)).rows[0]!.v

let pool: pg.Pool
beforeAll(async () => {
  pool = await freshDb()
})

afterAll(async () => {
  for (const d of dbs) await d.pool.end()
  expect(await settledConnections(dbs.map((d) => d.name))).toBe(0)
  for (const d of dbs) await dropDatabase(d.name)
})

describe("load-products", () => {
  it("records each group's product signature with the run that wrote it, which a later run's load updates", async () => {
    const db = await freshDb()
    const unsigned = payloadOf([legacyProduct({ external_id: "r1" })])
    const payload = { ...unsigned, groups: unsigned.groups.map((g) => ({ ...g, sig: "x1:77" })) }
    await inTransaction(db, (tx) => writeProducts(tx, payload, "rOne"))
    await inTransaction(db, (tx) => writeProducts(tx, payload, "rTwo"))
    const { rows } = await db.query("SELECT products_run, products_count::int AS products_count FROM migration.group_state WHERE external_id = 'r1'")
    // The daily plan trusts the counts of groups the last run recorded (src/extract/plan-totals.ts).
    expect(rows).toEqual([{ products_run: "rTwo", products_count: 1 }])
  })

  it("writes products, providers and platform-countries, and a redelivered batch changes no row", async () => {
    const payload = payloadOf([legacyProduct({ external_id: "a1" }), legacyProduct({ external_id: "a2", country: "MX" })])
    const first = await load(pool, payload)
    expect(first.products).toBe(2)
    const before = { products: await rowVersions(pool, "products"), providers: await rowVersions(pool, "providers") }
    const again = await load(pool, payload)
    expect(again.products).toBe(0)
    expect({ products: await rowVersions(pool, "products"), providers: await rowVersions(pool, "providers") }).toEqual(before)
    const pcs = await pool.query("SELECT id, platform_id, country_id FROM platform_countries ORDER BY id")
    expect(pcs.rows).toEqual([
      { id: "DROPI:CO", platform_id: "DROPI", country_id: "CO" },
      { id: "DROPI:MX", platform_id: "DROPI", country_id: "MX" },
    ])
  })

  it("names a provider after its latest claiming product whatever order the batches arrive in", async () => {
    const older = legacyProduct({ external_id: "p-old", updated_at: "2024-03-01", provider: { name: "Old Name", externalId: "900", verified: true } })
    const newer = legacyProduct({ external_id: "p-new", updated_at: "2024-05-01", provider: { provider_name: "New  Name", external_id: 900 } })
    const results = []
    for (const order of [[older, newer], [newer, older]]) {
      const db = await freshDb()
      for (const p of order) await load(db, payloadOf([p!]))
      results.push((await db.query("SELECT id, name, verified FROM providers WHERE external_id = '900'")).rows)
    }
    expect(results[0]).toEqual([{ id: "DROPI:CO:900", name: "New Name", verified: false }])
    expect(results[1]).toEqual(results[0])
  })

  it("replaces the v3 product whose natural key a later legacy product wins now", async () => {
    const db = await freshDb()
    const first = legacyProduct({ external_id: "k1", updated_at: "2024-01-01" })
    await load(db, payloadOf([first]))
    // Next day a second legacy product appears, spelled differently, with the same natural key and a later updated_at.
    const second = legacyProduct({ external_id: "k1", platform: " Dropi", country: "co", updated_at: "2024-02-01" })
    const written = await load(db, payloadOf([first, second]))
    expect(written.displaced).toBe(1)
    const { rows } = await db.query("SELECT id FROM products WHERE external_id = 'k1'")
    expect(rows).toEqual([{ id: second.uuid }])
  })

  it("removes a provider that no migrated product names any more", async () => {
    const db = await freshDb()
    const p = legacyProduct({ external_id: "m1", provider: { name: "Gone", externalId: "555" } })
    await load(db, payloadOf([p]))
    await load(db, payloadOf([{ ...p, updated_at: "2024-06-01", provider: { name: "Kept", externalId: "556" } }]))
    const { rows } = await db.query("SELECT external_id, name FROM providers ORDER BY external_id")
    expect(rows).toEqual([{ external_id: "556", name: "Kept" }])
  })

  it("keeps a provider a waiting batch names when the batch it waited for deleted it", async () => {
    const db = await freshDb()
    // Without the foreign key, which would refuse a product naming a deleted provider (a retry).
    await db.query("ALTER TABLE products DROP CONSTRAINT products_provider_id_fkey")
    const m1 = legacyProduct({ external_id: "m1", provider: { name: "Shared", externalId: "555" } })
    await load(db, payloadOf([m1]))
    const moving = await db.connect()
    try {
      await moving.query("BEGIN")
      // The batch that moves m1 to another provider has locked 555 (writeProducts' first step)...
      await moving.query("SELECT id FROM providers WHERE id = 'DROPI:CO:555' FOR UPDATE")
      // ...when a batch naming 555 arrives and waits for that lock.
      const naming = load(db, payloadOf([legacyProduct({ external_id: "m2", provider: { name: "Shared", externalId: "555" } })]))
      const dbName = dbs.at(-1)!.name
      for (let waited = 0; ; waited += 20) {
        const blocked = await pool.query("SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [dbName])
        if (blocked.rowCount) break
        if (waited > 5000) throw new Error("the second batch never waited for the first one's provider lock")
        await new Promise((r) => setTimeout(r, 20))
      }
      // The first batch goes on: 555 loses its last claim and is deleted.
      await writeProducts(moving, payloadOf([{ ...m1, updated_at: "2024-06-01", provider: { name: "Other", externalId: "556" } }]), "rT")
      await moving.query("COMMIT")
      await naming
    } finally {
      moving.release()
    }
    const { rows } = await db.query("SELECT p.external_id, v.name FROM products p LEFT JOIN providers v ON v.id = p.provider_id ORDER BY 1")
    expect(rows).toEqual([{ external_id: "m1", name: "Other" }, { external_id: "m2", name: "Shared" }])
    await db.query("ALTER TABLE products ADD CONSTRAINT products_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES providers(id)")
  })

  it("settles providers once at the end of a first full load to what batch-by-batch loading gives", async () => {
    const older = legacyProduct({ external_id: "s-old", updated_at: "2024-03-01", provider: { name: "Old Name", externalId: "900", verified: true } })
    const newer = legacyProduct({ external_id: "s-new", updated_at: "2024-05-01", provider: { name: "New Name", externalId: "900" } })
    const moved = legacyProduct({ external_id: "s-mv", provider: { name: "Left", externalId: "555" } })
    const batches = [payloadOf([newer]), payloadOf([moved]), payloadOf([older]), payloadOf([{ ...moved, updated_at: "2024-06-01", provider: { name: "Kept", externalId: "556" } }])]
    const providers = (db: pg.Pool) => db.query("SELECT id, external_id, name, verified FROM providers ORDER BY id").then((r) => r.rows)
    const batchByBatch = await freshDb()
    for (const b of batches) await load(batchByBatch, b)
    const bulk = await freshDb()
    for (const b of batches) await inTransaction(bulk, (tx) => writeProducts(tx, b, "rT", true))
    // Before the end, the bulk path has only inserted: the first claimer's name, and 555 still there.
    expect((await providers(bulk)).map((r) => r.name)).toEqual(["Left", "Kept", "New Name"])
    await inTransaction(bulk, (tx) => settleAllProviders(tx))
    expect(await providers(bulk)).toEqual(await providers(batchByBatch))
    expect((await providers(bulk)).map((r) => r.name)).toEqual(["Kept", "New Name"])
  })

  it("keeps the earlier v3 version of a product rejected now, and counts it", async () => {
    const db = await freshDb()
    const p = legacyProduct({ external_id: "r1", sale_price: 10 })
    await load(db, payloadOf([p]))
    const rejectedNow = payloadOf([{ ...p, sale_price: "NaN", updated_at: "2024-07-01" }])
    await load(db, rejectedNow)
    expect(await countPresent(db, rejectedNow.groups.flatMap((g) => g.notMigrated))).toBe(1)
    const { rows } = await db.query("SELECT sale_price FROM products WHERE id = $1", [p.uuid])
    expect(rows).toEqual([{ sale_price: 10 }])
  })
})
