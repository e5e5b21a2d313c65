import type pg from "pg"
import { MAX_HORIZON_AGE, horizonAge, signatureOf } from "./sql"

/**
 * A daily plan's history comparison since the last run, without summing every row's xmin.
 *
 * The full comparison (src/extract/plan.ts legacySigs) groups all 11.1M history rows of the 400k
 * bench by key to sum their xmins: 2.8–2.9 CPU-seconds on the legacy server. A group's history
 * rows can only have changed since the last run K read them in three ways, each found more
 * cheaply:
 * - a row was inserted or updated: the new row version's xmin is at or after K's legacy_xmin,
 *   the oldest legacy transaction still running when K started (src/extract/sql.ts
 *   legacyHorizon), since K read the group after that moment and anything it did not see
 *   committed later. One filtered scan finds those keys (0.73–0.80 s), the plan's early keys
 *   (src/extract/plan-early.ts);
 * - a row was deleted: the group's row count differs from the count its recorded signature
 *   holds ('x<count>:<sum>', src/extract/sql.ts signatureOf). Counting by key reads the history
 *   index only (0.77 s);
 * - K planned the group, or K was a full run, and the group's histories did not load in K (a
 *   refused product, a dead-lettered entry): its recorded signature may be older than K, and
 *   so may the changes it misses. Its histories_run is then not K, and it is planned again.
 * Every other group's recorded signature matched the legacy rows at some moment after K's
 * legacy_xmin (K loaded it, or K's plan compared it), so nothing before that moment is missed.
 * Without a trusted legacy_xmin of K (no finished run, a run of an earlier release, a xid too
 * old) the plan compares every group's full signature, as before.
 */

export interface PreviousRun {
  id: string
  full: boolean
  /** K's legacy_xmin: rows with an xmin at or after it count as new. */
  xmin: string
  /** The groups K extracted (its extract.groups count), when it recorded them. */
  groups: number | null
}

/** The last finished run before `runId`, when its legacy_xmin can be trusted; null otherwise. */
export async function previousRun(legacy: pg.Pool, v3: pg.Pool, runId: string): Promise<PreviousRun | null> {
  const { rows } = await v3.query<{ id: string; kind: string; xmin: string | null; groups: string | null }>(
    `SELECT id, kind, summary->>'legacyXmin' AS xmin, summary->'counts'->>'extract.groups' AS groups FROM migration.runs
     WHERE status = 'done' AND NOT test_mode AND id <> $1 ORDER BY finished_at DESC LIMIT 1`,
    [runId],
  )
  const run = rows[0]
  if (!run || run.xmin === null || !/^\d+$/.test(run.xmin)) return null
  const age = Number((await legacy.query<{ age: string }>(horizonAge, [run.xmin])).rows[0]!.age)
  if (age < 0 || age > MAX_HORIZON_AGE) return null
  return { id: run.id, full: run.kind === "full", xmin: run.xmin, groups: run.groups === null ? null : Number(run.groups) }
}

/**
 * Per raw external_id, the same columns as legacySigs with the history side replaced by the
 * group's history row count, from the history index.
 */
export const legacySigsSince = `
  SELECT coalesce(p.external_id, h.external_id) AS external_id, p.uuids, p.sig AS psig, NULL AS hsig, coalesce(h.n, 0) AS hcount
  FROM (SELECT p.external_id, array_agg(p.uuid::text) AS uuids, ${signatureOf("p.xmin")} AS sig
        FROM product p GROUP BY p.external_id) p
  FULL JOIN (SELECT h.external_product_id AS external_id, count(*) AS n FROM history h GROUP BY 1) h
    ON h.external_id = p.external_id`

/**
 * hchanged for the plan's comparison (s: legacy_sigs, g: group_state); $1 is the run's id, $2
 * K's, $3 whether K was a full run. The keys with new rows are the ones the plan wrote first
 * (src/extract/plan-early.ts), the run's only keys when this runs. The two small sets are
 * looked up as hashed subplans: joined, the temporary table (no statistics) was sorted for a
 * merge join, 0.70 s against 0.58 s at 400k products.
 */
export const historiesChangedSince = `(s.hcount IS DISTINCT FROM g.histories_count
  OR s.external_id IN (SELECT r.external_id FROM migration.plan_keys r WHERE r.run_id = $1)
  OR (g.histories_run IS DISTINCT FROM $2 AND ($3 OR s.external_id IN (SELECT k.external_id FROM migration.plan_keys k WHERE k.run_id = $2))))`
