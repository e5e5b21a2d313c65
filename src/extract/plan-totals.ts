import type pg from "pg"
import { copyQueryOn } from "../db/copy"
import { inTransaction } from "../db/connect"
import type { PreviousRun } from "./plan-since"
import { textArray } from "./sql"

/**
 * A daily plan without comparing every group (docs/DECISIONS.md 65). The comparison since the
 * last run K (src/extract/plan-since.ts) still aggregated every legacy product and counted every
 * group's history rows to find deleted rows: 2.2–2.9 server CPU-seconds at 400k products, most of
 * a quiet day's plan. Here products are found as history rows are: a product row written since
 * K's legacy_xmin (an insert or an update) has a newer xmin. What is left is a deleted row, and
 * for those a row count of the whole table stands in for one per group:
 * - every group K recorded and nothing wrote to since (no newer xmin, not stale below) held at
 *   some moment after K's legacy_xmin exactly the rows its recorded signature counts, and can
 *   only have lost rows since, so its legacy count is at most its recorded count;
 * - so when the legacy table's count, less the rows of the groups planned or compared anyway,
 *   equals the sum of the other groups' recorded counts, every one of them is equal: nothing
 *   was deleted there. Otherwise the plan compares every group's count (legacySigsSince).
 * A group is *stale* when K may not have recorded it: K planned it (or K was a full run) and
 * one of its loads did not record K (a refused product, a dead-lettered entry, a tail whose
 * products were not sent), or K planned it and nothing recorded it at all. Stale groups are
 * compared by their full product signature; those whose histories K did not record are planned,
 * as before. After a full run K, a group it extracted and never recorded is not in group_state
 * at all, so the shortcut then needs every one of K's groups recorded (`extract.groups`).
 */

/** Above this many stale or early groups, the plan compares every group (arrays this long cost more than they save). */
export const MAX_CANDIDATES = 50_000

export interface StaleGroup {
  key: string
  /** K did not record its histories: planned, as historiesChangedSince plans it. */
  hstale: boolean
}

/** The groups K may not have recorded, or null when the shortcut cannot stand (see above). */
export async function staleGroups(v3: pg.Pool, since: PreviousRun): Promise<StaleGroup[] | null> {
  const notRecorded = `g.histories_run IS DISTINCT FROM $1 OR g.products_run IS DISTINCT FROM $1 OR g.products_sig IS DISTINCT FROM g.multimedia_sig`
  if (since.full) {
    if (since.groups === null) return null
    const { rows } = await v3.query<{ n: number }>("SELECT count(*)::int AS n FROM migration.group_state WHERE histories_run = $1", [since.id])
    if (rows[0]!.n !== since.groups) return null
  }
  const { rows } = await v3.query<{ key: string; hstale: boolean }>(
    since.full
      ? `SELECT g.external_id AS key, g.histories_run IS DISTINCT FROM $1 AS hstale FROM migration.group_state g WHERE ${notRecorded} LIMIT $2`
      : `SELECT k.external_id AS key, g.external_id IS NULL OR g.histories_run IS DISTINCT FROM $1 AS hstale
         FROM migration.plan_keys k LEFT JOIN migration.group_state g ON g.external_id = k.external_id
         WHERE k.run_id = $1 AND (g.external_id IS NULL OR ${notRecorded}) LIMIT $2`,
    [since.id, MAX_CANDIDATES + 1],
  )
  return rows.length > MAX_CANDIDATES ? null : rows
}

/**
 * The groups with a product row written since `xmin`, and `others` (a textArray: the stale
 * groups, and this run's keys, which extract may load and record while the plan runs, so their
 * records are left out of the totals), once each: uuids, product signature (as legacySigs
 * computes it, null without products), and whether a product row is new. A hash join: product
 * has no index on external_id alone.
 */
export const candidateProducts = (xmin: string, others: string) => `
  WITH c AS (SELECT DISTINCT p.external_id::text AS k FROM product p WHERE age(p.xmin) <= age('${xmin}'::xid)),
  k AS (SELECT k, true AS recent FROM c
        UNION ALL SELECT s.k, false FROM unnest(${others}) AS s(k) WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.k = s.k))
  SELECT k.k, coalesce(array_agg(p.uuid::text) FILTER (WHERE p.uuid IS NOT NULL), '{}'),
         CASE WHEN count(p.uuid) > 0 THEN 'x' || count(p.uuid)::text || ':' || sum(p.xmin::text::bigint)::text END, k.recent
  FROM k LEFT JOIN product p ON p.external_id = k.k GROUP BY k.k, k.recent`

export interface HistoryCounts {
  /** Legacy history rows outside `keys`. */
  rest: number
  /** Rows of each stale key (absent: none). */
  perKey: Map<string, number>
}

/** On `session` (the early scan's snapshot): the history rows outside `keys`, and each of `stale`'s. */
export async function historyCounts(session: pg.PoolClient, keys: readonly string[], stale: readonly string[]): Promise<HistoryCounts> {
  const total = await session.query<{ total: string; inside: string }>(
    `SELECT (SELECT count(*) FROM history) AS total,
            (SELECT count(*) FROM history h WHERE h.external_product_id = ANY($1::text[])) AS inside`,
    [keys],
  )
  const per = await session.query<{ k: string; n: string }>(
    "SELECT h.external_product_id AS k, count(*) AS n FROM history h WHERE h.external_product_id = ANY($1::text[]) GROUP BY 1",
    [stale],
  )
  return { rest: Number(total.rows[0]!.total) - Number(total.rows[0]!.inside), perKey: new Map(per.rows.map((r) => [r.k, Number(r.n)])) }
}

/**
 * Into `tx`'s temporary table since_sigs, the candidate groups' products (candidateProducts), in
 * one snapshot with the count of every legacy product; returns that count.
 */
export async function productCounts(legacy: pg.Pool, tx: pg.PoolClient, xmin: string, others: readonly string[], setup: string): Promise<number> {
  return inTransaction(legacy, async (session) => {
    await session.query(setup)
    await copyQueryOn(session, candidateProducts(xmin, textArray(others)), tx, "since_sigs")
    const { rows } = await session.query<{ n: string }>("SELECT count(*) AS n FROM product")
    return Number(rows[0]!.n)
  }, SNAPSHOT)
}

/** A legacy transaction whose statements all read one snapshot. */
export const SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

/**
 * In `tx`, after productCounts: whether the recorded counts of every group outside the
 * candidates (since_sigs, this run's keys so far, the stale groups in stale_keys) add up to the
 * legacy counts outside them. Signatures of an earlier release, and those a retried dead letter
 * recorded (src/load/group-state.ts RETRIED_SIG), hold no count: then never.
 */
export async function totalsMatch(tx: pg.PoolClient, runId: string, historiesRest: number, productsTotal: number): Promise<boolean> {
  const { rows } = await tx.query<{ h: string; p: string; cand: string; unknown: number }>(
    `SELECT (SELECT coalesce(sum(g.histories_count), 0) FROM migration.group_state g
             WHERE NOT EXISTS (SELECT 1 FROM migration.plan_keys k WHERE k.run_id = $1 AND k.external_id = g.external_id)
               AND NOT EXISTS (SELECT 1 FROM stale_keys t WHERE t.external_id = g.external_id AND t.hstale)) AS h,
            (SELECT coalesce(sum(g.products_count), 0) FROM migration.group_state g
             WHERE NOT EXISTS (SELECT 1 FROM since_sigs s WHERE s.external_id = g.external_id)) AS p,
            (SELECT coalesce(sum(split_part(substr(s.psig, 2), ':', 1)::bigint), 0) FROM since_sigs s) AS cand,
            (SELECT count(*)::int FROM migration.group_state g
             WHERE g.histories_count IS NULL OR g.products_count IS NULL OR g.multimedia_sig !~ '^x') AS unknown`,
    [runId],
  )
  const r = rows[0]!
  return r.unknown === 0 && Number(r.h) === historiesRest && Number(r.p) === productsTotal - Number(r.cand)
}

/**
 * The plan's groups when the totals match (for src/extract/plan.ts planChanged): the candidates
 * and this run's early keys, a stale group only while the legacy database still holds a row of it.
 */
export const totalsChanged = `
  SELECT coalesce(s.external_id, e.external_id) AS external_id, coalesce(s.uuids::text[], e.uuids, '{}') AS uuids,
         g.external_id IS NULL AS fresh,
         s.external_id IS NOT NULL AND (s.recent OR s.psig IS DISTINCT FROM g.products_sig OR s.psig IS DISTINCT FROM g.multimedia_sig) AS pchanged,
         e.external_id IS NOT NULL OR coalesce(t.hstale, false) AS hchanged
  FROM since_sigs s
  FULL JOIN (SELECT k.external_id, k.uuids FROM migration.plan_keys k WHERE k.run_id = $1) e ON e.external_id = s.external_id
  LEFT JOIN stale_keys t ON t.external_id = coalesce(s.external_id, e.external_id)
  LEFT JOIN migration.group_state g ON g.external_id = coalesce(s.external_id, e.external_id)
  WHERE e.external_id IS NOT NULL OR s.recent OR s.psig IS NOT NULL OR t.hrows > 0`
