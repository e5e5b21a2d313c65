import type pg from "pg"
import type { Logger } from "../log/logger"
import { crashPoint } from "../runtime/faults"
import { inTransaction } from "../db/connect"
import { settleAllProviders } from "./products"

/**
 * The first full load into an empty v3 writes histories and multimedia without their primary
 * keys, unique keys and foreign keys, and products and provider claims without their foreign
 * keys, and builds them once when the run is drained, as pg_restore does: a sorted index build
 * costs a fraction of keeping the index up to date row by row (10M history rows on the tuned
 * local cluster: 16 s to build the keys and check the foreign key, against 112 s more to insert
 * with them in place), and one check of a foreign key a fraction of one lookup and row lock per
 * inserted row (400k products: 4.1 s to insert without their three foreign keys, 6.7–8.0 s with
 * them, 0.2 s to add them after). Until then
 * `migration.bulk_load` holds the definitions, and `migration.bulk_loaded` the products (and
 * parts of split groups) whose rows were written, so a redelivered entry writes nothing twice
 * although no unique key would stop it. A crash at any moment, during the build included,
 * resumes to the same end state: every step is one transaction, and the build is redone whole.
 * Meanwhile load-products only inserts providers (src/load/products.ts writeProducts), and the
 * build deletes those no product names and names the others after their latest claims, once;
 * a displaced product's claims go with it, so every key holds when the build checks it
 * (docs/DECISIONS.md 44).
 */
export const bulkTables = ["histories", "multimedia"] as const

/** Tables whose foreign keys the bulk load also defers when products is empty too. */
const foreignKeyTables = ["products", "migration.provider_claims"] as const

interface ConstraintDef {
  table: string
  name: string
  def: string
}

/**
 * Starts bulk mode for `runId` when histories and multimedia are empty: records their keys,
 * foreign keys and indexes (and, when products is empty too, the foreign keys of products and
 * provider claims), then drops them. Returns whether the run loads in bulk. A bulk load
 * of another run still pending (its Redis state was lost) is finished first.
 */
export async function enterBulk(pool: pg.Pool, runId: string, log: Logger): Promise<boolean> {
  const pending = await pool.query<{ run_id: string }>("SELECT run_id FROM migration.bulk_load")
  if (pending.rows[0]?.run_id === runId) return true
  if (pending.rows.length > 0) await finishBulk(pool, log)
  return inTransaction(pool, async (tx) => {
    await tx.query(`LOCK TABLE ${[...bulkTables, ...foreignKeyTables].join(", ")} IN ACCESS EXCLUSIVE MODE`)
    const { rows } = await tx.query<{ empty: boolean; products: boolean }>(
      `SELECT ${bulkTables.map((t) => `NOT EXISTS (SELECT 1 FROM ${t})`).join(" AND ")} AS empty, NOT EXISTS (SELECT 1 FROM products) AS products`,
    )
    if (!rows[0]!.empty) return false
    const constraints = (
      await tx.query<ConstraintDef>(
        `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
         WHERE (conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u', 'f')) OR (conrelid = ANY($2::regclass[]) AND contype = 'f')
         ORDER BY array_position(ARRAY['p', 'u', 'f'], contype::text), conname`,
        [bulkTables, rows[0]!.products ? foreignKeyTables : []],
      )
    ).rows
    const indexes = (
      await tx.query<{ name: string; def: string }>(
        `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) AND indexname <> ALL($2)`,
        [bulkTables, constraints.map((c) => c.name)],
      )
    ).rows
    await tx.query("INSERT INTO migration.bulk_load (id, run_id, constraints, indexes) VALUES (1, $1, $2, $3)", [runId, JSON.stringify(constraints), JSON.stringify(indexes)])
    for (const c of [...constraints].reverse()) await tx.query(`ALTER TABLE ${c.table} DROP CONSTRAINT ${c.name}`)
    for (const i of indexes) await tx.query(`DROP INDEX ${i.name}`)
    log.info({ run: runId, constraints: constraints.length, indexes: indexes.length }, "first full load into an empty v3: histories and multimedia load without their keys, products without their foreign keys, built at the end")
    return true
  })
}

/**
 * Inside a loader's transaction: whether the bulk load is on. The share lock makes the final
 * build wait for every transaction that wrote in bulk, and every later one see it finished.
 */
export async function bulkActive(tx: pg.PoolClient): Promise<boolean> {
  return ((await tx.query("SELECT 1 FROM migration.bulk_load WHERE id = 1 FOR SHARE")).rowCount ?? 0) > 0
}

/** Of the given (product, part) pairs, those not written before; records them as written now. */
export async function claimBulk(tx: pg.PoolClient, table: string, pairs: readonly [string, number][]): Promise<Set<string>> {
  if (pairs.length === 0) return new Set()
  const { rows } = await tx.query<{ product_id: string }>(
    `INSERT INTO migration.bulk_loaded (table_name, product_id, part) SELECT $1, * FROM unnest($2::text[], $3::int[])
     ON CONFLICT DO NOTHING RETURNING product_id`,
    [table, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  )
  return new Set(rows.map((r) => r.product_id))
}

/**
 * Builds what the bulk load dropped, in one transaction (a crash rolls it back and the next
 * migrate builds again), with a generous maintenance_work_mem for the sorts, then analyzes the
 * tables for the daily runs' plans. Nothing when no bulk load is pending.
 */
export async function finishBulk(pool: pg.Pool, log: Logger): Promise<void> {
  const started = Date.now()
  const done = await inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ run_id: string; constraints: ConstraintDef[]; indexes: { name: string; def: string }[] }>(
      "SELECT run_id, constraints, indexes FROM migration.bulk_load WHERE id = 1 FOR UPDATE",
    )
    const pending = rows[0]
    if (!pending) return false
    log.info({ run: pending.run_id, constraints: pending.constraints.length }, "building the keys and foreign keys the first full load deferred")
    await tx.query("SET LOCAL maintenance_work_mem = '512MB'")
    for (const c of pending.constraints) {
      await tx.query(`ALTER TABLE ${c.table} ADD CONSTRAINT ${c.name} ${c.def}`)
      crashPoint("migrate", "bulk-build")
    }
    for (const i of pending.indexes) await tx.query(i.def)
    await settleAllProviders(tx)
    await tx.query("DELETE FROM migration.bulk_load")
    await tx.query("TRUNCATE migration.bulk_loaded")
    return true
  })
  if (!done) return
  await pool.query(`ANALYZE ${bulkTables.join(", ")}`)
  log.info({ seconds: Math.round((Date.now() - started) / 100) / 10 }, "keys and foreign keys built")
}
