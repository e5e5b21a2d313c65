import type pg from "pg"

export type StateColumn = "products_sig" | "histories_sig" | "multimedia_sig"

/**
 * What a loader records for the groups of an entry `dlq retry` re-published (RunTag.retried):
 * its rows were read when the entry first ran, so no plan may take them for the legacy state.
 * It holds no row count and matches no legacy signature, so every later plan compares the
 * whole catalog and plans the group again (src/extract/plan.ts, plan-totals.ts).
 */
export const RETRIED_SIG = "retried"

/**
 * Records, in the loader's own transaction, the legacy signature of each group it finished
 * writing: the next incremental run skips a group only when every loader recorded its current
 * signature (src/extract/plan.ts). Histories and products also record the run (`run`): a daily
 * plan re-plans a group the last run planned but did not record (src/extract/plan-since.ts), and
 * trusts the others' recorded row counts (src/extract/plan-totals.ts).
 */
export async function recordGroupState(tx: pg.PoolClient, column: StateColumn, keys: [string, string | null][], run: string | null = null): Promise<void> {
  if (keys.length === 0) return
  const runColumn = runColumns[column]
  await tx.query(
    runColumn
      ? `INSERT INTO migration.group_state (external_id, ${column}, ${runColumn})
         SELECT k, s, $3 FROM unnest($1::text[], $2::text[]) AS t(k, s) ORDER BY 1
         ON CONFLICT (external_id) DO UPDATE SET ${column} = EXCLUDED.${column}, ${runColumn} = EXCLUDED.${runColumn}
         WHERE (group_state.${column}, group_state.${runColumn}) IS DISTINCT FROM (EXCLUDED.${column}, EXCLUDED.${runColumn})`
      : `INSERT INTO migration.group_state (external_id, ${column})
         SELECT * FROM unnest($1::text[], $2::text[]) ORDER BY 1
         ON CONFLICT (external_id) DO UPDATE SET ${column} = EXCLUDED.${column}
         WHERE group_state.${column} IS DISTINCT FROM EXCLUDED.${column}`,
    [keys.map(([k]) => k), keys.map(([, s]) => s), ...(runColumn ? [run] : [])],
  )
}

/** The column that records which run wrote a signature, for the signatures that have one. */
const runColumns: Record<StateColumn, string | null> = { histories_sig: "histories_run", products_sig: "products_run", multimedia_sig: null }

/**
 * A part of a group split across entries: notes it, and the part that completes the set
 * records the group's signature. The group's parts take turns (an advisory lock on its key), so
 * the last of two parts committing at once sees the other.
 */
export async function recordGroupPart(tx: pg.PoolClient, column: StateColumn, key: string, sig: string, part: number, parts: number, run: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('group_parts:' || $1))", [key])
  await tx.query(
    `INSERT INTO migration.group_parts (external_id, state, sig, part, parts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [key, column, sig, part, parts],
  )
  const { rows } = await tx.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM migration.group_parts WHERE external_id = $1 AND state = $2 AND sig = $3",
    [key, column, sig],
  )
  if (rows[0]!.n < parts) return
  await recordGroupState(tx, column, [[key, sig]], run)
  await tx.query("DELETE FROM migration.group_parts WHERE external_id = $1 AND state = $2", [key, column])
}
