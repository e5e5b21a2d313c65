import type pg from "pg"
import { copyRowsIn } from "../db/copy"
import type { V3History, V3Multimedia } from "../mapping/types"
import type { Bounds } from "../messages/child-rows"
import { type Column, historyColumns, multimediaColumns } from "../messages/columns"
import { bulkActive, claimBulk } from "./bulk"
import { upsertTail } from "./sql"

/**
 * Histories and multimedia hang off a product, and a product's rows are every key between its
 * bounds (dates and positions have no holes). A write deletes the product's rows outside its
 * bounds, then upserts the entry's rows; both are no-ops when nothing changed. A product whose
 * rows arrive in several entries (a very large group) gets the same bounds in each. The rows
 * arrive in COPY's text format: the first full load copies them straight into the table; a later
 * run copies them into a temporary table and merges from there in one statement.
 */
export interface ChildTable<T> {
  table: "histories" | "multimedia"
  columns: Column<T>[]
  /** The natural key of a row within its product: ON CONFLICT target and bounds column. */
  key: string
  keyType: string
}

export const historiesTable: ChildTable<V3History> = { table: "histories", columns: historyColumns, key: "date", keyType: "date" }
export const multimediaTable: ChildTable<V3Multimedia> = { table: "multimedia", columns: multimediaColumns, key: "position", keyType: "int4" }

/** The rows of the given products in COPY text chunks, every column in `columns` order (ChildRowsCodec.copyText). */
export interface CopyRows {
  columns: readonly string[]
  text(products: ReadonlySet<string>): string[]
}

function statements<T>(t: ChildTable<T>, columns: readonly string[]) {
  const list = columns.join(", ")
  const incoming = `${t.table}_incoming`
  const insert = `INSERT INTO ${t.table} (${list}) SELECT ${list} FROM ${incoming} WHERE product_id = ANY($1::text[])`
  return {
    copy: `COPY ${t.table} (${list}) FROM STDIN`,
    // Per session and emptied at each commit; created in the transaction, so a connection that
    // is new (or a pooler's other server connection) gets it too. One round trip: no parameters.
    incoming: `CREATE TEMP TABLE IF NOT EXISTS ${incoming} (LIKE ${t.table}) ON COMMIT DELETE ROWS; DELETE FROM ${incoming}`,
    copyIncoming: `COPY ${incoming} (${list}) FROM STDIN`,
    // One index probe per product; DISTINCT over `product_id = ANY(…)` read every row of each (a daily run's products have years of them).
    withRows: `SELECT p.id AS product_id FROM unnest($1::text[]) AS p(id) WHERE EXISTS (SELECT 1 FROM ${t.table} x WHERE x.product_id = p.id)`,
    deleteOutside: `
      DELETE FROM ${t.table} x USING unnest($1::text[], $2::${t.keyType}[], $3::${t.keyType}[]) AS b(product_id, lo, hi)
      WHERE x.product_id = b.product_id AND (b.lo IS NULL OR x.${t.key} < b.lo OR x.${t.key} > b.hi)`,
    insert,
    upsert: `${insert}
      ON CONFLICT (product_id, ${t.key}) ${upsertTail(t.table, t.columns, ["product_id", t.key])}`,
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
 * Writes the entry's rows of the products `bounds` names (all present in v3). A product without
 * rows yet (every product of a first full run) takes a plain INSERT; one with rows gets its rows
 * outside its bounds deleted and the entry's rows upserted. Returns rows written.
 */
export async function writeChildRows<T>(
  tx: pg.PoolClient,
  t: ChildTable<T>,
  rows: CopyRows,
  bounds: readonly Bounds[],
  partOf: (productId: string) => number = () => 0,
): Promise<number> {
  if (bounds.length === 0) return 0
  let s = cache.get(t.table)
  if (!s) cache.set(t.table, (s = statements(t, rows.columns)))
  const products = [...new Set(bounds.map((b) => b[0]))]
  if (await bulkActive(tx)) {
    // The first full load: an empty table without keys, each product's rows written once (src/load/bulk.ts).
    const claimed = await claimBulk(tx, t.table, products.map((id) => [id, partOf(id)]))
    const chunks = claimed.size > 0 ? rows.text(claimed) : []
    return chunks.length > 0 ? await copyRowsIn(tx, s.copy, chunks) : 0
  }
  await tx.query(s.incoming)
  const chunks = rows.text(new Set(products))
  if (chunks.length > 0) await copyRowsIn(tx, s.copyIncoming, chunks)
  // A table loaded from empty has stale statistics for a while, and the planner then prefers a
  // sequential scan to find a few products' rows; the (product_id, key) index is always right here.
  await tx.query("SET LOCAL enable_seqscan = off")
  const had = new Set((await tx.query<{ product_id: string }>(s.withRows, [products])).rows.map((r) => r.product_id))
  const known = products.filter((id) => had.has(id))
  const fresh = products.filter((id) => !had.has(id))
  const replace = async (ids: string[]) => {
    const set = new Set(ids)
    const stale = bounds.filter((b) => set.has(b[0]))
    await tx.query(s.deleteOutside, [stale.map((b) => b[0]), stale.map((b) => b[1]), stale.map((b) => b[2])])
    return (await tx.query(s.upsert, [ids])).rowCount ?? 0
  }
  let written = known.length > 0 ? await replace(known) : 0
  if (fresh.length > 0) {
    // Another delivery of the same rows may be first-loading them right now: its unique keys stop
    // this INSERT, and the rows then take the replace path (a race, not a refused row).
    await tx.query("SAVEPOINT first_load")
    try {
      written += (await tx.query(s.insert, [fresh])).rowCount ?? 0
    } catch (err) {
      if ((err as { code?: string }).code !== "23505") throw err
      await tx.query("ROLLBACK TO SAVEPOINT first_load")
      written += await replace(fresh)
    }
  }
  return written
}
