import type pg from "pg"
import { inTransaction } from "../db/connect"
import { copyQueryInto, copyQueryOn } from "../db/copy"
import type { PreviousRun } from "./plan-since"

/**
 * The early part of a daily plan: the groups with a history row written since the last run K
 * (an xmin at or after K's legacy_xmin, src/extract/plan-since.ts). The full comparison plans
 * every one of them (historiesChangedSince), and finding them takes one filtered scan of
 * history, where the comparison also aggregates every product and counts every group's history
 * rows. On the 400k quiet day they are 2,876 of the 3,296 planned groups, known 0.8 s into a
 * plan of 3.5 s: extract starts on them while the rest is compared (docs/DECISIONS.md 62).
 */

/** Run position (src/extract/units.ts) marking the early keys planned and the run's horizon recorded. */
export const EARLY_PLAN = "plan-early"

/** The extract unit of the early keys. */
export const EARLY_UNIT = "early"

/** Run hash field: the products per batch of the early unit (dailyBatchSize of its products). */
export const EARLY_BATCH_SIZE_FIELD = "early_batch_size"

/**
 * The keys with a history row at or after `xmin`, once each, with their products' uuids (as a
 * text[] literal, none for history rows without a product). `xmin` is digits only (previousRun),
 * so it is written into the statement, which COPY cannot parameterize. age() is parallel
 * restricted, so the scan runs in one process: 0.8 s at 400k products.
 */
export const recentHistoryGroups = (xmin: string) => `
  SELECT r.external_id, coalesce(array_agg(p.uuid::text) FILTER (WHERE p.uuid IS NOT NULL), '{}') AS uuids
  FROM (SELECT DISTINCT h.external_product_id AS external_id FROM history h WHERE age(h.xmin) <= age('${xmin}'::xid)) r
  LEFT JOIN product p ON p.external_id = r.external_id
  GROUP BY r.external_id`

export interface EarlyPlan {
  groups: number
  products: number
}

/**
 * Writes the keys with new history rows of run `runId` into migration.plan_keys, replacing every
 * key of an attempt that failed before its early keys were recorded (src/extract/planner.ts):
 * as early keys when they hold at most `maxProducts` products, else as plain keys the plan's
 * slices share. The early keys are one unit, for one copy of extract: a busy day's (200k
 * products at 400k) would take the plan's work away from every other copy, and its plan (4 s
 * of 90) is not worth starting early. `setup`: the plan's settings for its legacy transaction;
 * `session`: a legacy transaction of the caller's, set up already, to read the keys in.
 */
export async function computeEarlyPlan(
  legacy: pg.Pool, v3: pg.Pool, runId: string, since: PreviousRun, setup: string, maxProducts: number, session?: pg.PoolClient,
): Promise<EarlyPlan & { early: boolean }> {
  return inTransaction(v3, async (tx) => {
    await tx.query(`CREATE TEMP TABLE early_keys (external_id text COLLATE "C", uuids text[]) ON COMMIT DROP`)
    // On `session`, the plan's snapshot when it goes on to count rows in it (src/extract/plan-totals.ts).
    if (session) await copyQueryOn(session, recentHistoryGroups(since.xmin), tx, "early_keys")
    else await copyQueryInto(legacy, recentHistoryGroups(since.xmin), tx, "early_keys", { setup })
    const { rows } = await tx.query<EarlyPlan>(
      "SELECT count(*)::int AS groups, coalesce(sum(cardinality(uuids)), 0)::int AS products FROM early_keys",
    )
    const found = rows[0]!
    const early = found.products <= maxProducts
    await tx.query("DELETE FROM migration.plan_keys WHERE run_id = $1", [runId])
    await tx.query("INSERT INTO migration.plan_keys (run_id, external_id, uuids, early) SELECT $1, external_id, uuids, $2 FROM early_keys", [runId, early])
    return { ...found, early }
  })
}
