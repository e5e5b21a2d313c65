import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { computePlan } from "../../src/extract/plan"
import { recordFinishedRun as recordFinished } from "../support/finished-run"
import { createLegacyDatabase } from "../support/legacy"
import { settledConnections } from "../support/leaks"
import { dropDatabase } from "../support/pg"
import { createV3Database } from "../support/v3"

/**
 * A daily plan compares history rows since the last finished run (src/extract/plan-since.ts):
 * row counts, rows written since that run's legacy_xmin, and the groups that run should have
 * loaded and did not. These tests record a finished run "rK" over the legacy state as a real
 * run would (test/support/finished-run.ts), change the legacy rows, and check which groups the
 * next plan picks.
 */
const dbs: string[] = []
const pools: pg.Pool[] = []
let legacy: pg.Pool
let v3: pg.Pool
let plans = 0

/** Groups with exactly one product and several history rows: [A, B, C, D, E, F]. */
let groups: string[] = []

const recordFinishedRun = (kind: "full" | "incremental", withXmin = true) => recordFinished(legacy, v3, kind, withXmin)

/**
 * The groups the next run's plan picks, of `among` when given: a transaction open elsewhere on
 * the legacy cluster (another test file's) when rK records its legacy_xmin makes the rows an
 * earlier test changed count as new, as they would for a real run.
 */
async function planned(among?: string[]): Promise<string[]> {
  const run = `rnext${++plans}`
  await computePlan(legacy, v3, run)
  const { rows } = await v3.query<{ k: string }>("SELECT external_id AS k FROM migration.plan_keys WHERE run_id = $1 ORDER BY 1", [run])
  return rows.map((r) => r.k).filter((k) => among === undefined || among.includes(k))
}

const historyRow = async (key: string) =>
  (await legacy.query<{ uuid: string }>("SELECT uuid::text FROM history WHERE external_product_id = $1 ORDER BY uuid LIMIT 1", [key])).rows[0]!.uuid

beforeAll(async () => {
  const l = await createLegacyDatabase(400, 11)
  const v = await createV3Database()
  dbs.push(l.name, v.name)
  legacy = new pg.Pool({ connectionString: l.url, max: 3 })
  v3 = new pg.Pool({ connectionString: v.url, max: 2 })
  pools.push(legacy, v3)
  const { rows } = await legacy.query<{ k: string }>(
    `SELECT p.external_id AS k FROM product p GROUP BY 1
     HAVING count(*) = 1 AND (SELECT count(*) FROM history h WHERE h.external_product_id = p.external_id) >= 3
     ORDER BY 1 LIMIT 6`,
  )
  groups = rows.map((r) => r.k)
  expect(groups).toHaveLength(6)
}, 120_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  expect(await settledConnections(dbs)).toBe(0)
  for (const d of dbs) await dropDatabase(d)
})

describe("a daily plan after a run that recorded its legacy_xmin", () => {
  it("plans nothing when no legacy row changed", async () => {
    await recordFinishedRun("full")
    expect(await planned()).toEqual([])
  })

  it("plans the groups with a history row edited, deleted or inserted since, and those the last full run did not record", async () => {
    await recordFinishedRun("full")
    const [a, b, c, d] = groups as [string, string, string, string]
    await legacy.query("UPDATE history SET sold_units = sold_units + 1 WHERE uuid = $1", [await historyRow(a)])
    await legacy.query("DELETE FROM history WHERE uuid = $1", [await historyRow(b)])
    await legacy.query(
      `INSERT INTO history (uuid, external_product_id, platform, country, date, stock, sale_price, sales_amount, sold_units)
       SELECT gen_random_uuid(), external_product_id, platform, country, '2031-01-01', 1, 1, 1, 1 FROM history WHERE uuid = $1`,
      [await historyRow(c)],
    )
    // rK was a full run and did not record d's histories: what v3 holds of it may predate rK.
    await v3.query("UPDATE migration.group_state SET histories_run = 'rOlder' WHERE external_id = $1", [d])
    expect(await planned()).toEqual([a, b, c, d].sort())
  })

  it("after a daily run, plans again the groups that run planned and did not record, and only those", async () => {
    await recordFinishedRun("incremental")
    const [, , , , e, f] = groups as [string, string, string, string, string, string]
    await v3.query("UPDATE migration.group_state SET histories_run = 'rOlder' WHERE external_id = ANY($1)", [[e, f]])
    // e was in rK's plan; f was not, so rK's plan found it unchanged, whatever run recorded it.
    await v3.query("INSERT INTO migration.plan_keys (run_id, external_id, uuids) VALUES ('rK', $1, '{}')", [e])
    expect(await planned([e, f])).toEqual([e])
  })

  it("trusts rK's records: a group recorded in rK is compared by its count and new rows, not its whole signature", async () => {
    await recordFinishedRun("incremental")
    const [, , , , , f] = groups as [string, string, string, string, string, string]
    // A recorded signature with the right count and a wrong xmin sum, as no load ever writes.
    await v3.query("UPDATE migration.group_state SET histories_sig = split_part(histories_sig, ':', 1) || ':0' WHERE external_id = $1", [f])
    expect(await planned([f])).toEqual([])
  })

  it("without rK's legacy_xmin (a run of an earlier release) compares every group's whole signature", async () => {
    await recordFinishedRun("incremental", false)
    const [, , , , , f] = groups as [string, string, string, string, string, string]
    await v3.query("UPDATE migration.group_state SET histories_sig = split_part(histories_sig, ':', 1) || ':0' WHERE external_id = $1", [f])
    expect(await planned([f])).toEqual([f])
  })
})
