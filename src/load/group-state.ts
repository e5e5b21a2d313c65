import type pg from "pg"

export type StateColumn = "products_sig" | "histories_sig" | "multimedia_sig"

/**
 * Records, in the loader's own transaction, the legacy signature of each group it finished
 * writing: the next incremental run skips a group only when every loader recorded its current
 * signature (src/extract/plan.ts). Histories also record the run (`run`): a daily plan re-plans
 * a group the last run planned but did not record (src/extract/plan-since.ts).
 */
export async function recordGroupState(tx: pg.PoolClient, column: StateColumn, keys: [string, string | null][], run: string | null = null): Promise<void> {
  if (keys.length === 0) return
  const withRun = column === "histories_sig"
  await tx.query(
    withRun
      ? `INSERT INTO migration.group_state (external_id, histories_sig, histories_run)
         SELECT k, s, $3 FROM unnest($1::text[], $2::text[]) AS t(k, s) ORDER BY 1
         ON CONFLICT (external_id) DO UPDATE SET histories_sig = EXCLUDED.histories_sig, histories_run = EXCLUDED.histories_run
         WHERE (group_state.histories_sig, group_state.histories_run) IS DISTINCT FROM (EXCLUDED.histories_sig, EXCLUDED.histories_run)`
      : `INSERT INTO migration.group_state (external_id, ${column})
         SELECT * FROM unnest($1::text[], $2::text[]) ORDER BY 1
         ON CONFLICT (external_id) DO UPDATE SET ${column} = EXCLUDED.${column}
         WHERE group_state.${column} IS DISTINCT FROM EXCLUDED.${column}`,
    [keys.map(([k]) => k), keys.map(([, s]) => s), ...(withRun ? [run] : [])],
  )
}

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
