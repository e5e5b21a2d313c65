import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { VerifyDocument } from "../../src/verify/report"
import { runCli, stageEnv } from "../support/cli"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"
import { createV3Database } from "../support/v3"
import { expectedV3 } from "../support/expected"
import { createLegacyDatabase } from "../support/legacy"
import { migrateCleanly, smallRun } from "./pipeline"
import { scratchDir } from "../support/scratch"

const redis = testRedis()
const logDir = scratchDir("verify-test-")
const dbs: string[] = []
const prefixes: string[] = []
const pools: pg.Pool[] = []
let legacy: { name: string; url: string }
let v3: { name: string; url: string }
let sql: pg.Pool
let env: NodeJS.ProcessEnv

/** A fresh v3 database migrated from the fixture by the real pipeline (bun stages/migrate.ts), and the environment that did it. */
async function migrated(extra: Record<string, string> = {}) {
  const db = await createV3Database()
  const prefix = testPrefix("verify")
  dbs.push(db.name)
  prefixes.push(prefix)
  const dbEnv = stageEnv({ legacyDb: legacy.name, v3Db: db.name, prefix, extra: { LOG_DIR: logDir, WORKER_ID: prefix, ...smallRun, EXTRACT_BATCH_SIZE: "20", ...extra } })
  await migrateCleanly(dbEnv)
  return { db, env: dbEnv }
}

const verify = (args: string[], extra: Record<string, string> = {}, db = v3) =>
  runCli("stages/verify.ts", args, stageEnv({ legacyDb: legacy.name, v3Db: db.name, extra: { LOG_LEVEL: "warn", ...extra } }), 60_000)

beforeAll(async () => {
  // The demo-data generator (npm run seed:legacy): every quirk of the contract, deterministic.
  legacy = await createLegacyDatabase(400, 11)
  dbs.push(legacy.name)
  const first = await migrated()
  v3 = first.db
  env = first.env
  sql = new pg.Pool({ connectionString: v3.url, max: 1 })
  pools.push(sql)
}, 120_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  await releaseAndCheckLeaks(redis, prefixes, dbs)
})

describe("verify", () => {
  it("exits 0 after a correct migration, with every legacy row accounted for as the contract says", async () => {
    const r = await verify(["--full", "--json"])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as VerifyDocument
    expect(doc.ok).toBe(true)
    // The independent in-memory mapping of the e2e tests (test/support/expected.ts) counts the same.
    const { counts, legacyProducts, legacyHistories } = await expectedV3(legacy.url)
    const by = (prefix: string) =>
      Object.fromEntries(Object.entries(counts).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]))
    const p = doc.outcomes.products
    expect(p.legacy).toBe(legacyProducts)
    expect({ migrated: p.migrated, excluded: p.excluded, rejected: p.rejected }).toEqual({
      migrated: counts["products.migrated"], excluded: counts["products.excluded"] ?? 0, rejected: by("products.rejected."),
    })
    expect(Object.keys(p.rejected).sort()).toEqual(["duplicate_product", "invalid_country", "invalid_price", "unknown_platform"])
    // History-only groups produce no v3 row, so verify does not walk them: their rows are dropped
    // orphan or excluded, and make up the difference with the full count.
    const old = new pg.Client({ connectionString: legacy.url })
    await old.connect()
    const unwalked = Number((await old.query<{ n: string }>(
      "SELECT count(*) AS n FROM history h WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.external_id = h.external_product_id)",
    )).rows[0]!.n)
    await old.end()
    const dropped = doc.outcomes.histories.dropped
    const expectedDropped = by("histories.dropped.")
    expect(unwalked).toBeGreaterThan(0)
    expect(dropped["orphan"]! + dropped["excluded"]! + unwalked).toBe(expectedDropped["orphan"]! + expectedDropped["excluded"]!)
    expect([dropped["duplicate"], dropped["invalid_date"]]).toEqual([expectedDropped["duplicate"], expectedDropped["invalid_date"]])
    expect(doc.outcomes.histories.legacyRows + unwalked).toBe(legacyHistories)
    expect([doc.outcomes.histories.kept, doc.outcomes.histories.filled]).toEqual([counts["histories.kept"], counts["histories.filled"]])
    expect(doc.histories.sampleRate).toBe(1)
    for (const t of Object.values(doc.tables)) expect(t.compared).toBe(t.expected)
    expect(doc.tables.histories.compared).toBe(counts["histories.kept"]! + counts["histories.filled"]!)
    const human = await verify([])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain("v3 matches the legacy database")
  })

  it("names the row and column of an altered v3 row", async () => {
    const { rows } = await sql.query<{ id: string; name: string }>("SELECT id, name FROM products ORDER BY id LIMIT 1")
    const { id, name } = rows[0]!
    await sql.query("UPDATE products SET name = 'Tampered' WHERE id = $1", [id])
    try {
      const r = await verify([])
      expect(r.code).toBe(1)
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toContain(`products ${id} name: expected ${JSON.stringify(name)}, found "Tampered"`)
      expect(r.stdout).toContain(`products ${id} name`)
    } finally {
      await sql.query("UPDATE products SET name = $2 WHERE id = $1", [id, name])
    }
  })

  it("names a deleted v3 row", async () => {
    const { rows } = await sql.query<{ id: string }>("SELECT id FROM multimedia ORDER BY id LIMIT 1")
    const id = rows[0]!.id
    await sql.query("CREATE TEMP TABLE saved AS SELECT * FROM multimedia WHERE id = $1", [id])
    await sql.query("DELETE FROM multimedia WHERE id = $1", [id])
    try {
      const r = await verify(["--json"])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`multimedia ${id}: missing`)
      const doc = JSON.parse(r.stdout) as VerifyDocument
      expect(doc.differences.first).toEqual([{ table: "multimedia", id, column: null, expected: "row", actual: null, problem: "missing" }])
    } finally {
      await sql.query("INSERT INTO multimedia SELECT * FROM saved")
      await sql.query("DROP TABLE saved")
    }
  })

  it("names rows v3 holds that the contract does not produce", async () => {
    const { rows } = await sql.query<{ id: string; product_id: string }>("SELECT id, product_id FROM histories ORDER BY id LIMIT 1")
    const extraHistory = `${rows[0]!.product_id}:2030-01-01`
    await sql.query(
      `INSERT INTO histories SELECT $2, product_id, '2030-01-01', stock, sale_price, suggested_price, sold_units, billing,
         sold_units_last_7_days, sold_units_last_30_days, total_sold_units, billing_last_7_days, billing_last_30_days,
         total_billing, stock_adjustment, stock_adjustment_reason, filled FROM histories WHERE id = $1`,
      [rows[0]!.id, extraHistory],
    )
    await sql.query(
      `INSERT INTO products SELECT 'not-a-legacy-uuid', 'k-invented', name, description, sale_price, suggested_price, stock,
         total_billing, billing_last_7_days, billing_last_30_days, total_sold_units, sold_units_last_7_days,
         sold_units_last_30_days, variations_amount, score, status, platform_country_id, base_category_id, provider_id,
         created_at, updated_at FROM products ORDER BY id LIMIT 1`,
    )
    try {
      const r = await verify(["--full"])
      expect(r.code).toBe(1)
      expect(r.stdout).toContain(`histories ${extraHistory}: extra row`)
      expect(r.stdout).toContain("products not-a-legacy-uuid: extra row (no legacy product has this id as its uuid)")
      expect(r.stderr).toMatch(/^v3 differs from the legacy database: 2 differences/)
    } finally {
      await sql.query("DELETE FROM histories WHERE id = $1", [extraHistory])
      await sql.query("DELETE FROM products WHERE id = 'not-a-legacy-uuid'")
    }
  })

  it("counts a product an incremental run rejects, and v3 keeps from the earlier run, without comparing it", async () => {
    const before = JSON.parse((await verify(["--json"])).stdout) as VerifyDocument
    const ids = (await sql.query<{ id: string }>("SELECT id FROM products ORDER BY id")).rows.map((r) => r.id)
    const old = new pg.Pool({ connectionString: legacy.url, max: 1 })
    pools.push(old)
    // A product alone in its group: no collision loser takes its place when it is rejected.
    const { rows } = await old.query<{ uuid: string; name: string }>(
      `SELECT uuid::text, name FROM product p WHERE uuid::text = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM product q WHERE q.external_id = p.external_id AND q.uuid <> p.uuid) ORDER BY uuid LIMIT 1`,
      [ids],
    )
    const target = rows[0]!
    const kept = (await sql.query("SELECT name FROM products WHERE id = $1", [target.uuid])).rows
    await old.query("UPDATE product SET sale_price = 'NaN', updated_at = updated_at + 1, name = 'changed' WHERE uuid = $1", [target.uuid])
    await migrateCleanly(env)
    const r = await verify(["--json"])
    expect(r.code, r.stdout).toBe(0)
    const doc = JSON.parse(r.stdout) as VerifyDocument
    expect(doc.outcomes.products.keptEarlierVersion).toBe(1)
    expect(doc.outcomes.products.keptIds).toEqual([target.uuid])
    expect(doc.outcomes.products.rejected["invalid_price"]).toBe(before.outcomes.products.rejected["invalid_price"]! + 1)
    expect((await sql.query("SELECT name FROM products WHERE id = $1", [target.uuid])).rows).toEqual(kept)
  })

  it("with TEST_MODE checks exactly the products a TEST_MODE run takes", async () => {
    const { db: testDb } = await migrated({ TEST_MODE: "true" })
    const r = await verify(["--json"], { TEST_MODE: "true" }, testDb)
    expect(r.code, r.stdout).toBe(0)
    const doc = JSON.parse(r.stdout) as VerifyDocument
    expect(doc.testMode).toBe(true)
    expect(doc.outcomes.products.legacy).toBe(10)
    const full = await verify([], {}, testDb)
    expect(full.code).toBe(1)
    expect(full.stderr).toContain("products")
  })

  it("rejects bad arguments with status 2 and an unreachable database with status 3", async () => {
    const bad = await verify(["--sample", "lots"])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe("--sample 'lots' must be a number of groups (e.g. 500) or a percentage (e.g. 5%)")
    const down = await runCli("stages/verify.ts", [], { ...stageEnv({ legacyDb: legacy.name }), PRODUCTS_DATABASE_URL: "postgres://migrator@127.0.0.1:1/nowhere" })
    expect(down.code).toBe(3)
    expect(down.stderr.trim().split("\n")).toHaveLength(1)
    expect(down.stderr).toContain("cannot reach the v3 database")
  })
})
