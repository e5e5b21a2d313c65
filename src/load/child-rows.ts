import type pg from "pg"
import type { V3History, V3Multimedia } from "../mapping/types"
import { type Column, historyColumns, multimediaColumns } from "../messages/columns"
import { unnestFrom, upsertTail } from "./sql"

/**
 * Histories and multimedia hang off a product and arrive as whole sets per product: the
 * entry's rows are every row the product must have. A write therefore deletes the product's
 * rows that are not in the set, then upserts the set; both are no-ops when nothing changed.
 * The rows travel as PostgreSQL array literals (one per column) straight into unnest().
 */
export interface ChildTable<T> {
  table: "histories" | "multimedia"
  columns: Column<T>[]
  /** The natural key of a row within its product: ON CONFLICT target and stale-row match. */
  key: string
  keyType: string
}

export const historiesTable: ChildTable<V3History> = { table: "histories", columns: historyColumns, key: "date", keyType: "date" }
export const multimediaTable: ChildTable<V3Multimedia> = { table: "multimedia", columns: multimediaColumns, key: "position", keyType: "int4" }

function statements<T>(t: ChildTable<T>) {
  const n = t.columns.length
  const productCol = t.columns.findIndex((c) => c.name === "product_id") + 1
  const keyCol = t.columns.findIndex((c) => c.name === t.key) + 1
  const insert = `INSERT INTO ${t.table} (${t.columns.map((c) => c.name).join(", ")})
      SELECT * FROM ${unnestFrom(t.columns)} WHERE t.product_id = ANY($${n + 1}::text[])`
  return {
    withRows: `SELECT DISTINCT product_id FROM ${t.table} WHERE product_id = ANY($1::text[])`,
    deleteStale: `
      DELETE FROM ${t.table} x WHERE x.product_id = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::${t.keyType}[]) AS n(product_id, k)
                      WHERE n.product_id = x.product_id AND n.k = x.${t.key})`,
    insert,
    upsert: `${insert}
      ON CONFLICT (product_id, ${t.key}) ${upsertTail(t.table, t.columns, ["product_id", t.key])}`,
    productCol,
    keyCol,
  }
}

const cache = new Map<string, ReturnType<typeof statements>>()

/** Of the given products, those already in v3 (the others' rows must wait for them). */
export async function presentProducts(tx: pg.Pool | pg.PoolClient, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const { rows } = await tx.query<{ id: string }>("SELECT id FROM products WHERE id = ANY($1::text[])", [ids])
  return new Set(rows.map((r) => r.id))
}

/**
 * Replaces the row sets of `products` (all present in v3) with the entry's rows. A product
 * without rows yet (every product of a first full run) takes a plain INSERT; one with rows gets
 * its stale rows deleted and the set upserted. Should a duplicate delivery race this one, the
 * unique key stops the second plain INSERT and redelivery takes the upsert path. Returns rows written.
 */
export async function writeChildRows<T>(tx: pg.PoolClient, t: ChildTable<T>, columns: string[], products: string[]): Promise<number> {
  if (products.length === 0) return 0
  let s = cache.get(t.table)
  if (!s) cache.set(t.table, (s = statements(t)))
  // A table loaded from empty has stale statistics for a while, and the planner then prefers a
  // sequential scan to find a few products' rows; the (product_id, key) index is always right here.
  await tx.query("SET LOCAL enable_seqscan = off")
  const had = new Set((await tx.query<{ product_id: string }>(s.withRows, [products])).rows.map((r) => r.product_id))
  const known = products.filter((id) => had.has(id))
  const fresh = products.filter((id) => !had.has(id))
  let written = 0
  if (known.length > 0) {
    await tx.query(s.deleteStale, [known, columns[s.productCol - 1], columns[s.keyCol - 1]])
    written += (await tx.query(s.upsert, [...columns, known])).rowCount ?? 0
  }
  if (fresh.length > 0) written += (await tx.query(s.insert, [...columns, fresh])).rowCount ?? 0
  return written
}
