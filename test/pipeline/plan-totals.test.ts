import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { computePlan, type PlanSummary } from "../../src/extract/plan"
import { recordFinishedRun as recordFinished } from "../support/finished-run"
import { createLegacyDatabase } from "../support/legacy"
import { settledConnections } from "../support/leaks"
import { dropDatabase } from "../support/pg"
import { createV3Database } from "../support/v3"

/**
 * A daily plan after a run K that recorded every group finds changed groups without comparing
 * each one (src/extract/plan-totals.ts): rows written since K by their xmin, deleted rows by the
 * legacy tables' row totals against the recorded counts. When the totals differ, or K may not
 * have recorded some group, it compares every group's count as before (plan-since.ts). Each test
 * records rK over the legacy state (test/support/finished-run.ts), changes rows, and checks both
 * which groups are planned and how they were found.
 */
const dbs: string[] = []
const pools: pg.Pool[] = []
let legacy: pg.Pool
let v3: pg.Pool
let plans = 0

/** Groups with exactly one product and several history rows: [A, B, C, D, E, F]. */
let groups: string[] = []

async function plan(among?: string[]): Promise<{ keys: string[]; summary: PlanSummary }> {
  const run = `rtot${++plans}`
  const summary = await computePlan(legacy, v3, run)
  const { rows } = await v3.query<{ k: string }>("SELECT external_id AS k FROM migration.plan_keys WHERE run_id = $1 ORDER BY 1", [run])
  return { keys: rows.map((r) => r.k).filter((k) => among === undefined || among.includes(k)), summary }
}

const firstRow = async (table: "history" | "product", key: string) =>
  (await legacy.query<{ uuid: string }>(
    `SELECT uuid::text FROM ${table} WHERE ${table === "history" ? "external_product_id" : "external_id"} = $1 ORDER BY uuid LIMIT 1`,
    [key],
  )).rows[0]!.uuid

beforeAll(async () => {
  const l = await createLegacyDatabase(400, 17)
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

describe("a daily plan by the row totals", () => {
  it("plans the groups with a product or history row written since the last run, and finds them without comparing every group", async () => {
    await recordFinished(legacy, v3, "full")
    const [a, b] = groups as [string, string]
    await legacy.query("UPDATE product SET name = name || ' (edited)' WHERE uuid = $1", [await firstRow("product", a)])
    await legacy.query("UPDATE history SET stock = stock + 1 WHERE uuid = $1", [await firstRow("history", b)])
    await legacy.query(
      `INSERT INTO product SELECT (json_populate_record(p, json_build_object('uuid', gen_random_uuid(), 'external_id', 'brand-new-group'))).*
       FROM product p WHERE uuid = $1`,
      [await firstRow("product", a)],
    )
    const { keys, summary } = await plan()
    expect(keys).toEqual([a, b, "brand-new-group"].sort())
    expect(summary).toMatchObject({ compared: "totals", newGroups: 1, productChanges: 1, historyChanges: 1 })
  })

  it("finds a deleted history row by the totals, and then compares every group's count to plan its group", async () => {
    await recordFinished(legacy, v3, "full")
    const [, , c] = groups as [string, string, string]
    await legacy.query("DELETE FROM history WHERE uuid = $1", [await firstRow("history", c)])
    const { keys, summary } = await plan()
    expect(keys).toEqual([c])
    expect(summary.compared).toBe("groups")
  })

  it("finds a deleted product by the totals, and then compares every group's signature to plan its group", async () => {
    await recordFinished(legacy, v3, "incremental")
    const [, , , d] = groups as [string, string, string, string]
    await legacy.query("DELETE FROM product WHERE uuid = $1", [await firstRow("product", d)])
    const { keys, summary } = await plan()
    expect(keys).toEqual([d])
    expect(summary.compared).toBe("groups")
  })

  it("forgets a group whose every legacy row is gone, so the next plan trusts the totals again", async () => {
    await recordFinished(legacy, v3, "incremental")
    const [, , , , e] = groups as [string, string, string, string, string]
    await legacy.query("DELETE FROM history WHERE external_product_id = $1", [e])
    await legacy.query("DELETE FROM product WHERE external_id = $1", [e])
    const first = await plan()
    expect(first.summary.compared).toBe("groups")
    expect(first.keys).toEqual([])
    expect((await v3.query("SELECT 1 FROM migration.group_state WHERE external_id = $1", [e])).rowCount).toBe(0)
    const second = await plan()
    expect(second.keys).toEqual([])
    expect(second.summary.compared).toBe("totals")
  })

  it("compares a group the last run planned and did not record by its whole product signature", async () => {
    await recordFinished(legacy, v3, "incremental")
    const [, , , , , f] = groups as [string, string, string, string, string, string]
    const [a] = groups as [string]
    // rK planned both; neither recorded its products. a's recorded signature still matches, f's
    // is what an earlier run recorded (its product changed before rK began, so no newer xmin).
    await v3.query("INSERT INTO migration.plan_keys (run_id, external_id, uuids) SELECT 'rK', k, '{}' FROM unnest($1::text[]) AS k", [[a, f]])
    await v3.query("UPDATE migration.group_state SET products_run = 'rOlder' WHERE external_id = ANY($1)", [[a, f]])
    await v3.query("UPDATE migration.group_state SET products_sig = 'x1:1', multimedia_sig = 'x1:1' WHERE external_id = $1", [f])
    const { keys, summary } = await plan([a, f])
    expect(keys).toEqual([f])
    expect(summary.compared).toBe("totals")
  })

  it("still finds a deleted row when a group the last run did not record holds more rows than its record says", async () => {
    await recordFinished(legacy, v3, "full")
    const [a, b] = groups as [string, string]
    // a's histories were not recorded by rK, and its record counts one row fewer than legacy holds:
    // left in the totals, it would hide b's deleted row.
    await v3.query("UPDATE migration.group_state SET histories_run = 'rOlder', histories_sig = 'x' || (histories_count - 1) || ':0' WHERE external_id = $1", [a])
    await v3.query("UPDATE migration.runs SET summary = jsonb_set(summary, '{counts,extract.groups}', to_jsonb((summary->'counts'->>'extract.groups')::int - 1))")
    await legacy.query("DELETE FROM history WHERE uuid = $1", [await firstRow("history", b)])
    const { keys } = await plan([a, b])
    expect(keys).toEqual([a, b].sort())
  })

  it("compares every group, and plans again a group whose record a retried dead letter wrote from rows read runs ago", async () => {
    await recordFinished(legacy, v3, "incremental")
    const [, b] = groups as [string, string]
    // What a load-histories entry of an older run, re-published by dlq retry, records (src/load/group-state.ts).
    await v3.query("UPDATE migration.group_state SET histories_sig = 'retried', histories_run = 'rOlder' WHERE external_id = $1", [b])
    const { keys, summary } = await plan([b])
    expect(keys).toEqual([b])
    expect(summary.compared).toBe("groups")
  })

  it("compares every group after a full run that did not record each group it extracted", async () => {
    await recordFinished(legacy, v3, "full")
    const [a] = groups as [string]
    await v3.query("DELETE FROM migration.group_state WHERE external_id = $1", [a])
    const { keys, summary } = await plan([a])
    expect(keys).toEqual([a])
    expect(summary.compared).toBe("groups")
  })
})
