import type pg from "pg"
import type { Logger } from "../log/logger"
import type { PreviousRun } from "./plan-since"
import { signatureOf } from "./sql"

/**
 * A daily plan that reads only the changed groups' signatures. The full comparison
 * (src/extract/plan.ts) aggregates every product and every history key on the legacy server and
 * joins the 400k results with group_state in v3: 2.7 s and 4.4 CPU-seconds of a 400k quiet day's
 * 9–10 s. Here, with K the last finished run (src/extract/plan-since.ts):
 * - candidates C: the keys with a product or history row written at or after K's legacy_xmin
 *   (one scan of each table, filtered by xmin), and the groups K should have loaded and did not
 *   (products_run, histories_run not K) or whose loaders disagree (products_sig ≠ multimedia_sig);
 * - every other group's recorded signatures matched the legacy rows at some moment after K's
 *   legacy_xmin (plan-since.ts), and since then it gained no row version: its rows can only have
 *   been deleted, so its legacy row count is at most its recorded one. The sums are then equal
 *   only if no row of any such group was deleted: legacy's total rows less C's rows (one
 *   snapshot) against the recorded counts outside C. Each table is checked so.
 * When a check fails (a row was deleted, a group was never recorded, K's records predate
 * products_run) the caller compares every group in full, as before: returns null.
 * C's products are compared by their whole signatures; C's history candidates are planned.
 */

export interface QuickPlan {
  groups: number
  products: number
  newGroups: number
  productChanges: number
  historyChanges: number
}

/** Beyond this share of the recorded groups as candidates, the full comparison is cheaper. */
const MAX_CANDIDATE_SHARE = 0.2

const settings = "SET LOCAL work_mem = '64MB'; SET LOCAL jit = off"

/** A text[] of the distinct keys of `table`'s rows written at or after `xmin` (digits only, previousRun), and the table's row count. */
const recentKeys = (table: "product" | "history", key: string, xmin: string) =>
  `SELECT coalesce(array_agg(DISTINCT ${key}), '{}') AS keys FROM ${table} WHERE age(xmin) <= age('${xmin}'::xid)`

/** Per candidate key ($1): its products' uuids (text[] literal), signature and count. */
const candidateProducts = `
  SELECT external_id AS k, array_agg(uuid::text)::text AS uuids, ${signatureOf("xmin")} AS sig, count(*)::bigint AS n
  FROM product WHERE external_id = ANY($1::text[]) GROUP BY 1`

const candidateHistories = `SELECT external_product_id AS k, count(*)::bigint AS n FROM history WHERE external_product_id = ANY($1::text[]) GROUP BY 1`

async function snapshot<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    await client.query(settings)
    const out = await work(client)
    await client.query("COMMIT")
    return out
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err))
    throw err
  } finally {
    client.release(broken)
  }
}

/** Writes the plan of `runId` into migration.plan_keys within `tx` and returns its counts, or null when the full comparison must decide. */
export async function quickPlan(legacy: pg.Pool, tx: pg.PoolClient, runId: string, since: PreviousRun, log?: Logger): Promise<QuickPlan | null> {
  // Read while the legacy scans run: v3's part of the candidates.
  const carried = tx.query<{ p: string[]; h: string[]; total: number }>(
    `SELECT coalesce(array_agg(external_id) FILTER (WHERE products_sig IS DISTINCT FROM multimedia_sig OR (products_run IS DISTINCT FROM $1 AND planned)), '{}') AS p,
            coalesce(array_agg(external_id) FILTER (WHERE histories_run IS DISTINCT FROM $1 AND planned), '{}') AS h,
            count(*)::int AS total
     FROM (SELECT g.*, $2 OR g.external_id IN (SELECT k.external_id FROM migration.plan_keys k WHERE k.run_id = $1) AS planned
           FROM migration.group_state g) g`,
    [since.id, since.full],
  ).then((r) => r.rows[0]!)
  carried.catch(() => undefined)
  // Two snapshots, each read whole: the products' (their count, recent keys and candidates'
  // rows) and the history rows' (their count and candidates' counts). The recent history keys
  // may come from a third moment: a row written between them is counted and not a candidate,
  // which fails the check rather than passing it wrongly.
  let release: (keys: string[]) => void = () => undefined
  const candidatesKnown = new Promise<string[]>((resolve) => (release = resolve))
  const histories = snapshot(legacy, async (c) => {
    const rows = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM history")).rows[0]!.n)
    const keys = await candidatesKnown
    return { rows, of: (await c.query<{ k: string; n: string }>(candidateHistories, [keys])).rows }
  })
  histories.catch(() => undefined)
  let products: { rows: number; of: { k: string; uuids: string; sig: string; n: string }[] }
  let candidates: string[] = []
  let recentHistories: string[]
  try {
    products = await snapshot(legacy, async (c) => {
      const rows = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM product")).rows[0]!.n)
      const recent = (await c.query<{ keys: string[] }>(recentKeys("product", "external_id", since.xmin))).rows[0]!.keys
      recentHistories = (await c.query<{ keys: string[] }>(recentKeys("history", "external_product_id", since.xmin))).rows[0]!.keys
      const { p, h, total } = await carried
      // The first plan after an earlier release: nothing recorded products_run.
      if (p.length + h.length > MAX_CANDIDATE_SHARE * total) return { rows, of: [] }
      candidates = [...new Set([...recent, ...recentHistories, ...p, ...h])]
      release(candidates)
      return { rows, of: (await c.query<{ k: string; uuids: string; sig: string; n: string }>(candidateProducts, [candidates])).rows }
    })
  } finally {
    release([])
  }
  const h = await histories
  const { p: carriedProducts, h: carriedHistories, total } = await carried
  if (carriedProducts.length + carriedHistories.length > MAX_CANDIDATE_SHARE * total) {
    log?.info({ since: since.id, carried: carriedProducts.length + carriedHistories.length }, "many groups the last run did not record: comparing every group's full signature")
    return null
  }
  const legacyOutside = {
    products: products.rows - products.of.reduce((n, r) => n + Number(r.n), 0),
    histories: h.rows - h.of.reduce((n, r) => n + Number(r.n), 0),
  }
  // Totals less the candidates' (an `= ANY` of a bound array is looked up in a hash).
  const recorded = await tx.query<{ products: string | null; histories: string | null; odd: number }>(
    `SELECT coalesce(sum(pc), 0) - coalesce(sum(pc) FILTER (WHERE c), 0) AS products,
            coalesce(sum(histories_count), 0) - coalesce(sum(histories_count) FILTER (WHERE c), 0) AS histories,
            count(*) FILTER (WHERE NOT c AND (pc IS NULL OR histories_count IS NULL))::int AS odd
     FROM (SELECT products_count AS pc, histories_count, external_id = ANY($1::text[]) AS c FROM migration.group_state) g`,
    [candidates],
  )
  const r = recorded.rows[0]!
  if (r.odd > 0 || Number(r.products ?? 0) !== legacyOutside.products || Number(r.histories ?? 0) !== legacyOutside.histories) {
    log?.info({ since: since.id, legacy: legacyOutside, recorded: { products: Number(r.products ?? 0), histories: Number(r.histories ?? 0), odd: r.odd } },
      "legacy rows were deleted since the last run, or groups were never recorded: comparing every group's full signature")
    return null
  }
  const historyCounts = new Map(h.of.map((x) => [x.k, Number(x.n)]))
  const historyCandidates = new Set([...recentHistories!, ...carriedHistories])
  await tx.query("DELETE FROM migration.plan_keys WHERE run_id = $1", [runId])
  const byKey = new Map(products.of.map((x) => [x.k, x]))
  // Candidates with no legacy row left are not planned, as the full comparison never sees them.
  const present = candidates.filter((k) => byKey.has(k) || (historyCounts.get(k) ?? 0) > 0)
  const { rows } = await tx.query<QuickPlan>(
    `WITH c AS (
       SELECT t.k, t.uuids, t.sig, t.hist, g.external_id IS NULL AS fresh,
              t.sig IS DISTINCT FROM g.products_sig OR t.sig IS DISTINCT FROM g.multimedia_sig AS pchanged
       FROM unnest($2::text[], $3::text[], $4::text[], $5::bool[]) AS t(k, uuids, sig, hist)
       LEFT JOIN migration.group_state g ON g.external_id = t.k
     ), planned AS (
       INSERT INTO migration.plan_keys (run_id, external_id, uuids)
       SELECT $1, k, coalesce(uuids::text[], '{}') FROM c WHERE fresh OR pchanged OR hist
       RETURNING cardinality(uuids) AS n
     )
     SELECT (SELECT count(*) FROM planned)::int AS groups, (SELECT coalesce(sum(n), 0) FROM planned)::int AS products,
            count(*) FILTER (WHERE fresh)::int AS "newGroups",
            count(*) FILTER (WHERE NOT fresh AND pchanged)::int AS "productChanges",
            count(*) FILTER (WHERE NOT fresh AND hist)::int AS "historyChanges"
     FROM c WHERE fresh OR pchanged OR hist`,
    [runId, present, present.map((k) => byKey.get(k)?.uuids ?? null), present.map((k) => byKey.get(k)?.sig ?? null), present.map((k) => historyCandidates.has(k))],
  )
  return rows[0]!
}
