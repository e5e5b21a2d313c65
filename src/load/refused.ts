import type pg from "pg"
import { errorMessage } from "../runtime/errors"

/**
 * What the v3 database refused, per product and table (migration.refused): recorded after a
 * loader isolated the rows (src/load/isolate.ts), cleared when the product loads later. verify
 * names these rows instead of calling them merely missing.
 */
export async function recordRefused(db: pg.Pool, table: string, run: string, refused: readonly { id: string; error: unknown }[]): Promise<void> {
  if (refused.length === 0) return
  await db.query(
    `INSERT INTO migration.refused (product_id, table_name, error, run_id)
     SELECT id, $1, error, $2 FROM unnest($3::text[], $4::text[]) AS r(id, error)
     ON CONFLICT (product_id, table_name) DO UPDATE SET error = EXCLUDED.error, run_id = EXCLUDED.run_id, at = now()`,
    [table, run, refused.map((r) => r.id), refused.map((r) => errorMessage(r.error))],
  )
}

/** Inside the transaction that wrote them: these products' rows of `table` are refused no more. */
export async function clearRefused(tx: pg.PoolClient, table: string, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await tx.query("DELETE FROM migration.refused WHERE table_name = $1 AND product_id = ANY($2::text[])", [table, ids])
}
