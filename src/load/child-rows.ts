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
  const keep = ["product_id", t.key]
  const compared = t.columns.map((c) => c.name).filter((c) => !keep.includes(c))
  const row = (alias: string) => `(${compared.map((c) => `${alias}.${c}`).join(", ")})`
  // A key's rows below lo or above hi, as index range scans: one OR over the bounds read every
  // row of every product (9 of a 100k busy day's 28 server CPU-seconds, deleting nothing).
  const outside = (cond: string) => `SELECT y.${t.key} FROM ${t.table} y WHERE y.product_id = b.product_id AND ${cond}`
  return {
    copy: `COPY ${t.table} (${list}) FROM STDIN`,
    // Per session and emptied at each commit; created in the transaction, so a connection that
    // is new (or a pooler's other server connection) gets it too. One round trip: no parameters.
    incoming: `CREATE TEMP TABLE IF NOT EXISTS ${incoming} (LIKE ${t.table}) ON COMMIT DELETE ROWS; DELETE FROM ${incoming}`,
    copyIncoming: `COPY ${incoming} (${list}) FROM STDIN`,
    deleteOutside: `
      DELETE FROM ${t.table} x USING (
        SELECT b.product_id, o.${t.key} FROM unnest($1::text[], $2::${t.keyType}[], $3::${t.keyType}[]) AS b(product_id, lo, hi),
        LATERAL (${outside(`y.${t.key} < b.lo`)} UNION ALL ${outside(`y.${t.key} > b.hi`)} UNION ALL ${outside("b.lo IS NULL")}) o
      ) d WHERE x.product_id = d.product_id AND x.${t.key} = d.${t.key}`,
    // Rows identical to v3's are filtered by one index probe each and never reach ON CONFLICT,
    // which locks every conflicting row (a WAL record and a dirtied page each) before its WHERE
    // can skip it. ON CONFLICT stays for the rows that differ and for a racing first load.
    merge: `
      INSERT INTO ${t.table} (${list}) SELECT ${columns.map((c) => `i.${c}`).join(", ")} FROM ${incoming} i
      WHERE NOT EXISTS (SELECT 1 FROM ${t.table} x WHERE x.product_id = i.product_id AND x.${t.key} = i.${t.key}
                        AND ${row("x")} IS NOT DISTINCT FROM ${row("i")})
      ON CONFLICT (product_id, ${t.key}) ${upsertTail(t.table, t.columns, keep)}`,
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
 * Writes the entry's rows of the products `bounds` names (all present in v3). The first full
 * load copies them into the key-less table; any other run deletes each product's rows outside
 * its bounds and merges the entry's rows, writing only those that differ. Returns rows written.
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
  await tx.query(s.deleteOutside, [bounds.map((b) => b[0]), bounds.map((b) => b[1]), bounds.map((b) => b[2])])
  return chunks.length > 0 ? ((await tx.query(s.merge)).rowCount ?? 0) : 0
}
