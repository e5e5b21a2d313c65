import type pg from "pg"
import { readHorizon } from "../../src/extract/planner"
import { signatureOf } from "../../src/extract/sql"

const fullSigs = `
  SELECT coalesce(p.k, h.k) AS k, p.sig AS psig, h.sig AS hsig
  FROM (SELECT external_id AS k, ${signatureOf("xmin")} AS sig FROM product GROUP BY 1) p
  FULL JOIN (SELECT external_product_id AS k, ${signatureOf("xmin")} AS sig FROM history GROUP BY 1) h ON h.k = p.k`

/**
 * Records a finished run "rK" (`kind`, with or without its legacy_xmin) over the legacy state as
 * a real run would: its xmin first, then every group as rK loaded it (load-products records no
 * run for a group without products). Earlier plans and runs go.
 */
export async function recordFinishedRun(legacy: pg.Pool, v3: pg.Pool, kind: "full" | "incremental", withXmin = true): Promise<void> {
  const { xmin } = await readHorizon(legacy)
  const sigs = (await legacy.query<{ k: string; psig: string | null; hsig: string | null }>(fullSigs)).rows
  await v3.query("TRUNCATE migration.group_state, migration.plan_keys, migration.runs")
  await v3.query(
    `INSERT INTO migration.group_state (external_id, products_sig, multimedia_sig, histories_sig, histories_run, products_run)
     SELECT k, p, p, h, 'rK', CASE WHEN p IS NOT NULL THEN 'rK' END FROM unnest($1::text[], $2::text[], $3::text[]) AS t(k, p, h)`,
    [sigs.map((s) => s.k), sigs.map((s) => s.psig), sigs.map((s) => s.hsig)],
  )
  await v3.query(
    `INSERT INTO migration.runs (id, kind, status, test_mode, started_at, finished_at, summary)
     VALUES ('rK', $1, 'done', false, now(), now(), $2)`,
    [kind, JSON.stringify({ ...(withXmin ? { legacyXmin: xmin } : {}), counts: { "extract.groups": sigs.length } })],
  )
}
