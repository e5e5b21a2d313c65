import type pg from "pg"
import { copyQueryInto } from "../db/copy"
import { inTransaction } from "../db/connect"
import type { Logger } from "../log/logger"
import { computeEarlyPlan, type EarlyPlan } from "./plan-early"
import { historiesChangedSince, legacySigsSince, previousRun, type PreviousRun } from "./plan-since"
import { MAX_CANDIDATES, SNAPSHOT, historyCounts, productCounts, staleGroups, totalsChanged, totalsMatch, type StaleGroup } from "./plan-totals"
import { MAX_HORIZON_AGE, horizonAge, signatureOf } from "./sql"

/**
 * Legacy signatures of every group, one row per raw external_id: its products' uuids and
 * signature, and its history rows' signature; the same values as extract's (src/extract/sql.ts).
 * One pass over product, one over history, joined on the legacy server: the rows reach v3 as one
 * COPY, and v3 only looks each key up in group_state. Copying both aggregates into v3 and full
 * joining them there took 4.22 against 3.92 server CPU-seconds, 2.86 s against 2.79 s (400k
 * products, six alternated pairs): the sorts of the merge join on v3 cost more than this hash
 * join, which runs while v3 already takes its first rows.
 */
// No ORDER BY inside array_agg: it sorted every product before grouping (this COPY took 2.3–2.4 s
// with it, 1.8–2.1 s without, at 400k products); slicePlanCursor orders each key's uuids anyway.
const legacySigs = `
  SELECT coalesce(p.external_id, h.external_id) AS external_id, p.uuids, p.sig AS psig, h.sig AS hsig, NULL AS hcount
  FROM (SELECT p.external_id, array_agg(p.uuid::text) AS uuids, ${signatureOf("p.xmin")} AS sig
        FROM product p GROUP BY p.external_id) p
  FULL JOIN (SELECT h.external_product_id AS external_id, ${signatureOf("h.xmin")} AS sig
             FROM history h GROUP BY h.external_product_id) h ON h.external_id = p.external_id`

/**
 * Memory for the plan's aggregates and joins, for its transactions alone. Grouping 11M history
 * rows into 385k keys takes about 80 MB; at PostgreSQL's default work_mem of 4 MB it spills to
 * disk: the aggregate alone took 2.8 and 2.9 s against 2.0 and 2.1 s, the whole plan 3.7–4.5 s
 * and 6.4–7.3 CPU-seconds against 4.1–4.7 s and 7.3–8.5 (400k products, three runs each).
 */
const planMemory = "SET LOCAL work_mem = '64MB'"

/**
 * And no JIT on the legacy server for the comparison since the last run: the planner costs its
 * full join at 78M rows and compiled it with inlining and optimization, 0.41 s of 2.26 (400k).
 */
const planSinceSettings = `${planMemory}; SET LOCAL jit = off`

/**
 * And, for legacySigsSince alone, sorted aggregates and a merge join: the products sorted by key
 * and grouped, the history counts grouped in their index's order, then merged. PostgreSQL 15
 * picks a hash aggregate for the products, which spills in 65 batches for all its 9 MB (the
 * arrays' size is unknown to it), and a hash join: 1.31–1.83 s against 0.92–1.05 s at 400k
 * products, three alternated runs each (docs/DECISIONS.md 63).
 */
const planSigsSinceSettings = `${planSinceSettings}; SET LOCAL enable_hashagg = off; SET LOCAL enable_hashjoin = off`

/**
 * And, for the candidates' products (src/extract/plan-totals.ts candidateProducts), no nested
 * loop: product has no index on external_id alone, and the planner cannot know how few keys
 * the array holds.
 */
const planCandidatesSettings = `${planSinceSettings}; SET LOCAL enable_nestloop = off`

export interface PlanSummary {
  groups: number
  products: number
  /** Groups no earlier run loaded. */
  newGroups: number
  /** Groups whose products changed (updated_at moved, a product appeared). */
  productChanges: number
  /** Groups whose history rows changed (rows added or edited). */
  historyChanges: number
  /** The latest legacy updated_at at planning time. */
  watermark: string | null
  /** The groups and products planned after the early keys (src/extract/plan-early.ts): all of them without early keys. */
  rest: EarlyPlan
  /**
   * How the rest was found: by the legacy and recorded row totals (src/extract/plan-totals.ts),
   * by every group's row count since the last run (plan-since.ts), or by every group's signature.
   */
  compared: "totals" | "groups" | "signatures"
}

export interface PlanOptions {
  /** Called once the early keys are written, before the rest is compared: the planner records them for extract. */
  onEarly?: (early: EarlyPlan) => Promise<void>
  /** An earlier attempt of this plan wrote and recorded the early keys: they stay, and may be extracted already. */
  earlyDone?: boolean
  /** The most products early keys may hold: more are planned with the rest (computeEarlyPlan). */
  earlyMaxProducts?: number
}

/**
 * Writes the groups an incremental run must re-migrate into migration.plan_keys: those whose
 * legacy product or history rows changed since the loaders last recorded them, and those never
 * seen. With a last finished run that can be trusted (src/extract/plan-since.ts), the groups with
 * new history rows are written first, as early keys (src/extract/plan-early.ts); then, when the
 * legacy row totals match the recorded counts, only the groups with new product rows and those
 * the last run may not have recorded are compared (src/extract/plan-totals.ts). Otherwise
 * products are compared by their full signatures, and history rows by their counts since that
 * run, or without one by their full signatures too; the comparison only adds the groups the
 * early keys do not hold.
 */
export async function computePlan(legacy: pg.Pool, v3: pg.Pool, runId: string, log?: Logger, opts: PlanOptions = {}): Promise<PlanSummary> {
  const since = await previousRun(legacy, v3, runId)
  log?.info({ run: runId, since: since?.id ?? null }, since
    ? "history rows compared since the last finished run"
    : "no finished run to compare history rows since: comparing every group's full signature")
  let early = since !== null && opts.earlyDone === true
  if (since && !opts.earlyDone) {
    const planEarly = async (session: pg.PoolClient) => {
      const found = await computeEarlyPlan(legacy, v3, runId, since, planSinceSettings, opts.earlyMaxProducts ?? Infinity, session)
      early = found.early
      if (early) await opts.onEarly?.(found)
    }
    // The early keys and the history counts in one snapshot (src/extract/plan-totals.ts). The
    // early keys come first: the rest reads group_state, which they need not wait for.
    const byTotals = await inTransaction(legacy, async (session) => {
      await session.query(planSinceSettings)
      await planEarly(session)
      const stale = await staleGroups(v3, since)
      return stale === null ? null : planByTotals(legacy, v3, session, runId, since, stale, early)
    }, SNAPSHOT)
    if (byTotals) return { ...byTotals, watermark: await watermarkOf(legacy) }
    log?.info({ run: runId }, "comparing every group's history row count: the legacy row totals could not stand in for them")
  }
  return inTransaction(v3, async (tx) => {
    // uuids stay text until a group is planned: parsing every group's array on the way in cost
    // the v3 server 0.27 CPU-seconds at 400k products against 0.11 as text.
    await tx.query(`CREATE TEMP TABLE legacy_sigs (external_id text COLLATE "C", uuids text, psig text, hsig text, hcount bigint) ON COMMIT DROP`)
    if (since) await copyQueryInto(legacy, legacySigsSince, tx, "legacy_sigs", { setup: planSigsSinceSettings })
    else await copyQueryInto(legacy, legacySigs, tx, "legacy_sigs", { setup: planMemory })
    // With a run to compare since, the keys with new history rows were just written, or written
    // as early keys by an earlier attempt, which extract may be at already: they stay.
    if (!since) await tx.query("DELETE FROM migration.plan_keys WHERE run_id = $1", [runId])
    else if (opts.earlyDone) await tx.query("DELETE FROM migration.plan_keys WHERE run_id = $1 AND NOT early", [runId])
    // The temporary table has no statistics: the planner took it for far more rows than it holds
    // and compiled the statement (JIT, 0.23 s at 400k products) for a plan that sorts both sides.
    await tx.query("SET LOCAL jit = off")
    await tx.query(planMemory)
    // A group with no legacy row left is never planned, and its recorded counts would keep every
    // later plan from trusting the totals (src/extract/plan-totals.ts): it is forgotten.
    await tx.query("DELETE FROM migration.group_state g WHERE NOT EXISTS (SELECT 1 FROM legacy_sigs s WHERE s.external_id = g.external_id)")
    const row = await planChanged(tx, `
      SELECT s.external_id, coalesce(s.uuids, '{}')::text[] AS uuids,
             g.external_id IS NULL AS fresh,
             s.psig IS DISTINCT FROM g.products_sig OR s.psig IS DISTINCT FROM g.multimedia_sig AS pchanged,
             ${since ? historiesChangedSince : "s.hsig IS DISTINCT FROM g.histories_sig"} AS hchanged
      FROM legacy_sigs s LEFT JOIN migration.group_state g ON g.external_id = s.external_id`, since ? [runId, since.id, since.full] : [runId])
    const total = { groups: row.n + row.prior, products: row.products + row.priorProducts }
    return {
      ...total,
      newGroups: row.fresh,
      productChanges: row.pchanged,
      historyChanges: row.hchanged,
      watermark: await watermarkOf(legacy),
      rest: early ? { groups: row.n, products: row.products } : total,
      compared: since ? "groups" : "signatures",
    }
  })
}

/**
 * The rest of a daily plan by the totals (src/extract/plan-totals.ts), on `session`, the early
 * keys' snapshot: the candidates' products and the counts read, then, when the totals match,
 * the planned groups written. Null when they do not (nothing written but the early keys).
 */
async function planByTotals(
  legacy: pg.Pool, v3: pg.Pool, session: pg.PoolClient, runId: string, since: PreviousRun, stale: StaleGroup[], early: boolean,
): Promise<Omit<PlanSummary, "watermark"> | null> {
  const keys = (await v3.query<{ k: string }>("SELECT external_id AS k FROM migration.plan_keys WHERE run_id = $1", [runId])).rows.map((r) => r.k)
  if (keys.length > MAX_CANDIDATES) return null
  const staleKeys = stale.map((s) => s.key)
  return inTransaction(v3, async (tx) => {
    await tx.query(`CREATE TEMP TABLE since_sigs (external_id text COLLATE "C", uuids text, psig text, recent boolean) ON COMMIT DROP`)
    await tx.query(`CREATE TEMP TABLE stale_keys (external_id text COLLATE "C", hstale boolean, hrows bigint) ON COMMIT DROP`)
    const [histories, products] = await Promise.all([
      historyCounts(session, [...keys, ...stale.filter((s) => s.hstale).map((s) => s.key)], staleKeys),
      // This run's keys too: extract may load and record them while the plan runs.
      productCounts(legacy, tx, since.xmin, [...new Set([...staleKeys, ...keys])], planCandidatesSettings),
    ])
    await tx.query(
      "INSERT INTO stale_keys SELECT * FROM unnest($1::text[], $2::boolean[], $3::bigint[])",
      [staleKeys, stale.map((s) => s.hstale), staleKeys.map((k) => histories.perKey.get(k) ?? 0)],
    )
    await tx.query("SET LOCAL jit = off")
    await tx.query(planMemory)
    if (!(await totalsMatch(tx, runId, histories.rest, products))) return null
    const row = await planChanged(tx, totalsChanged, [runId])
    const total = { groups: row.n + row.prior, products: row.products + row.priorProducts }
    return {
      ...total,
      newGroups: row.fresh,
      productChanges: row.pchanged,
      historyChanges: row.hchanged,
      rest: early ? { groups: row.n, products: row.products } : total,
      compared: "totals" as const,
    }
  })
}

/**
 * Writes the groups `source` (external_id, uuids, fresh, pchanged, hchanged; its parameters
 * `params`, $1 the run) finds changed into the run's plan_keys, after the keys already there.
 */
async function planChanged(tx: pg.PoolClient, source: string, params: unknown[]) {
  // Only the planned groups are materialized (the CTE is read twice), not every legacy group:
  // at 400k products the comparison took 1.7 s this way against 2.1 s.
  const { rows } = await tx.query<{ n: number; products: number; prior: number; priorProducts: number; fresh: number; pchanged: number; hchanged: number }>(
    `WITH changed AS MATERIALIZED (
       SELECT c.* FROM (${source}) c WHERE c.fresh OR c.pchanged OR c.hchanged
     ), planned AS (
       INSERT INTO migration.plan_keys (run_id, external_id, uuids)
       SELECT $1, external_id, uuids FROM changed
       ON CONFLICT (run_id, external_id) DO NOTHING
       RETURNING cardinality(uuids) AS c
     ), prior AS (
       SELECT count(*)::int AS n, coalesce(sum(cardinality(uuids)), 0)::int AS products FROM migration.plan_keys WHERE run_id = $1
     )
     SELECT (SELECT count(*) FROM planned)::int AS n,
            (SELECT coalesce(sum(c), 0) FROM planned)::int AS products,
            (SELECT n FROM prior) AS prior, (SELECT products FROM prior) AS "priorProducts",
            count(*) FILTER (WHERE fresh)::int AS fresh,
            count(*) FILTER (WHERE NOT fresh AND pchanged)::int AS pchanged,
            count(*) FILTER (WHERE NOT fresh AND hchanged)::int AS hchanged
     FROM changed`,
    params,
  )
  return rows[0]!
}

/** The latest legacy updated_at at planning time. */
async function watermarkOf(legacy: pg.Pool): Promise<string | null> {
  return (await legacy.query<{ w: string | null }>("SELECT max(updated_at)::text AS w FROM product")).rows[0]?.w ?? null
}

/**
 * (external_id, uuid) rows of run $1's planned keys `where` selects (src/extract/slices.ts, and
 * whether the keys are early ones), in
 * key order, like the full-run cursor, with the signatures the group's last loads recorded: its
 * products' (when load-products and load-multimedia agree on it) and its history rows'.
 */
export const slicePlanCursor = (where: string) => `
  SELECT k.external_id, u.uuid, CASE WHEN g.products_sig = g.multimedia_sig THEN g.products_sig END AS recorded_psig,
         g.histories_sig AS recorded_hsig
  FROM migration.plan_keys k LEFT JOIN LATERAL unnest(k.uuids) AS u(uuid) ON true
  LEFT JOIN migration.group_state g ON g.external_id = k.external_id
  WHERE k.run_id = $1 AND ${where}
  ORDER BY k.external_id, u.uuid`

/**
 * The legacy horizon of the last finished run before `runId` (src/extract/sql.ts legacyHorizon),
 * or null when there is none to trust: a run of an earlier release recorded none, or so many
 * transactions went by that the 32-bit xid may have wrapped. Without it every group is
 * re-migrated whole, as before.
 */
export async function previousHorizon(legacy: pg.Pool, v3: pg.Pool, runId: string): Promise<string | null> {
  const { rows } = await v3.query<{ h: string | null }>(
    `SELECT summary->>'legacyHorizon' AS h FROM migration.runs
     WHERE status = 'done' AND NOT test_mode AND id <> $1 ORDER BY finished_at DESC LIMIT 1`,
    [runId],
  )
  const h = rows[0]?.h ?? null
  if (h === null || !/^\d+$/.test(h)) return null
  const age = Number((await legacy.query<{ age: string }>(horizonAge, [h])).rows[0]!.age)
  return age >= 0 && age <= MAX_HORIZON_AGE ? h : null
}
