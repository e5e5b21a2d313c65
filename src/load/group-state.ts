import type pg from "pg"

export type StateColumn = "products_sig" | "histories_sig" | "multimedia_sig"

/**
 * Records, in the loader's own transaction, the legacy signature of each group it finished
 * writing: the next incremental run skips a group only when every loader recorded its current
 * signature (src/extract/plan.ts).
 */
export async function recordGroupState(tx: pg.PoolClient, column: StateColumn, keys: [string, string | null][]): Promise<void> {
  if (keys.length === 0) return
  await tx.query(
    `INSERT INTO migration.group_state (external_id, ${column})
     SELECT * FROM unnest($1::text[], $2::text[]) ORDER BY 1
     ON CONFLICT (external_id) DO UPDATE SET ${column} = EXCLUDED.${column}
     WHERE group_state.${column} IS DISTINCT FROM EXCLUDED.${column}`,
    [keys.map(([k]) => k), keys.map(([, s]) => s)],
  )
}
