import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keyBatches } from "../../src/extract/batches"
import { computePlan, slicePlanCursor } from "../../src/extract/plan"
import { EARLY_PLAN } from "../../src/extract/plan-early"
import { ensureEarlyPlan, planOnce, type PlannerDeps } from "../../src/extract/planner"
import { UnitLeases } from "../../src/extract/units"
import { createLogger } from "../../src/log/logger"
import type { RunState } from "../../src/run/state"
import { streamKeys } from "../../src/streams/keys"
import { recordFinishedRun } from "../support/finished-run"
import { createLegacyDatabase } from "../support/legacy"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"
import { until } from "../support/until"
import { createV3Database } from "../support/v3"

/**
 * A daily plan writes the groups with new history rows first, as early keys extract starts on
 * while the rest is compared (src/extract/plan-early.ts). Each test records a finished run rK
 * (test/support/finished-run.ts), then changes one group's history (a), one group's product
 * (b) and deletes a history row of a third (c, which has rows for every test): a is early, b and c come with the rest.
 */
const redis = testRedis()
const prefix = testPrefix("plan-early")
const keys = streamKeys(prefix)
const dbs: string[] = []
const pools: pg.Pool[] = []
let legacy: pg.Pool
let v3: pg.Pool
let v3Url: string
let groups: [string, string, string]
let runs = 0
const log = createLogger({ name: "test", level: "silent" })

beforeAll(async () => {
  const l = await createLegacyDatabase(300, 13)
  const v = await createV3Database()
  dbs.push(l.name, v.name)
  v3Url = v.url
  legacy = new pg.Pool({ connectionString: l.url, max: 3 })
  v3 = new pg.Pool({ connectionString: v.url, max: 3 })
  pools.push(legacy, v3)
  const { rows } = await legacy.query<{ k: string }>(
    `SELECT p.external_id AS k FROM product p GROUP BY 1
     HAVING count(*) = 1 AND (SELECT count(*) FROM history h WHERE h.external_product_id = p.external_id) >= 8
     ORDER BY 1 LIMIT 3`,
  )
  groups = rows.map((r) => r.k) as [string, string, string]
  expect(groups).toHaveLength(3)
}, 120_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  await releaseAndCheckLeaks(redis, [prefix], dbs)
})

/** rK recorded, then a gains a history row, b's product is edited, c loses a history row. */
async function aDay(): Promise<void> {
  await recordFinishedRun(legacy, v3, "full")
  const [a, b, c] = groups
  await legacy.query(
    `INSERT INTO history (uuid, external_product_id, platform, country, date, stock, sale_price, sales_amount, sold_units)
     SELECT gen_random_uuid(), external_product_id, platform, country, current_date + 1000 + $2::int, 1, 1, 1, 1
     FROM history WHERE external_product_id = $1 LIMIT 1`,
    [a, runs],
  )
  await legacy.query("UPDATE product SET name = name || ' (edited)' WHERE external_id = $1", [b])
  await legacy.query("DELETE FROM history WHERE uuid = (SELECT uuid FROM history WHERE external_product_id = $1 ORDER BY date LIMIT 1)", [c])
}

const plannedKeys = async (run: string, early: boolean) =>
  (await v3.query<{ k: string }>("SELECT external_id AS k FROM migration.plan_keys WHERE run_id = $1 AND early = $2 ORDER BY 1", [run, early])).rows.map((r) => r.k)

const deps = (run: RunState): PlannerDeps => ({ legacy, v3, redis, keys, run, owner: "migrate", batchSize: 50, log, signal: new AbortController().signal })
const newRun = (): RunState => ({ id: `rearly${++runs}`, kind: "incremental", status: "extracting", testMode: false, slices: 4, startedAt: Date.now() })

describe("a daily plan's early keys", () => {
  it("are the groups with new history rows, written before the rest is compared, which adds every other changed group once", async () => {
    await aDay()
    const run = newRun()
    const [a, b, c] = groups
    let seen: string[] = []
    const plan = await computePlan(legacy, v3, run.id, undefined, { onEarly: async () => void (seen = await plannedKeys(run.id, true)) })
    expect(seen).toEqual([a])
    expect(await plannedKeys(run.id, true)).toEqual([a])
    expect(await plannedKeys(run.id, false)).toEqual([b, c].sort())
    expect(plan).toMatchObject({ groups: 3, historyChanges: 2, rest: { groups: 2, products: 2 } })
  })

  it("are planned with the rest, for the slices to share, when they hold more products than one unit should", async () => {
    await aDay()
    const run = newRun()
    let called = false
    const plan = await computePlan(legacy, v3, run.id, undefined, { earlyMaxProducts: 0, onEarly: async () => void (called = true) })
    expect(called).toBe(false)
    expect(await plannedKeys(run.id, true)).toEqual([])
    expect(await plannedKeys(run.id, false)).toEqual([...groups].sort())
    expect(plan).toMatchObject({ groups: 3, historyChanges: 2, rest: { groups: 3, products: 3 } })
  })

  it("let extract start on them while the rest of the plan still waits", async () => {
    await aDay()
    const run = newRun()
    const leases = new UnitLeases(redis, keys, run, "extract")
    // The rest's comparison reads group_state; planning the early keys does not.
    const blocker = new pg.Client({ connectionString: v3Url })
    await blocker.connect()
    await blocker.query("BEGIN")
    await blocker.query("LOCK TABLE migration.group_state IN ACCESS EXCLUSIVE MODE")
    try {
      const planning = planOnce(deps(run))
      await ensureEarlyPlan({ ...deps(run), owner: "extract" }, leases)
      const positions = await leases.positions()
      expect(positions.get(EARLY_PLAN)?.done).toBe(true)
      expect(positions.get("plan")).toBeUndefined()
      expect(await plannedKeys(run.id, true)).toEqual([groups[0]])
      // The horizon the next run compares from is recorded before any planned group is read.
      expect(await redis.hget(keys.run, "legacy_xmin")).toMatch(/^\d+$/)
      await blocker.query("COMMIT")
      expect(await planning).toBe("planned")
    } finally {
      await blocker.end()
    }
    // Extract's early unit reads the early keys, its slices the rest.
    const read = async (where: string) => {
      const out: string[] = []
      for await (const batch of keyBatches(v3, slicePlanCursor(where), [run.id], 10)) out.push(...batch.keys)
      return out
    }
    expect(await read("k.early")).toEqual([groups[0]])
    expect((await read("NOT k.early")).sort()).toEqual([groups[1], groups[2]].sort())
  })

  it("stay, with the horizon recorded with them, when a plan that failed after them is planned again", async () => {
    await aDay()
    const run = newRun()
    const [a, b, c] = groups
    // What an attempt that failed after recording its early keys leaves: those keys, their horizon, the position.
    await v3.query("INSERT INTO migration.plan_keys (run_id, external_id, uuids, early) VALUES ($1, $2, '{}', true)", [run.id, a])
    await redis.hset(keys.run, { legacy_horizon: "7", legacy_xmin: "5" })
    const leases = new UnitLeases(redis, keys, run, "migrate")
    await until(() => leases.acquire("plan"))
    expect(await leases.publish(EARLY_PLAN, null, { key: null, done: true }, null, {}, 0, "plan")).toBe(true)
    await leases.release("plan")
    expect(await planOnce(deps(run))).toBe("planned")
    expect(await redis.hmget(keys.run, "legacy_horizon", "legacy_xmin")).toEqual(["7", "5"])
    // Extract may have read them already: kept as they were, not planned again.
    expect((await v3.query("SELECT uuids FROM migration.plan_keys WHERE run_id = $1 AND external_id = $2", [run.id, a])).rows).toEqual([{ uuids: [] }])
    expect(await plannedKeys(run.id, false)).toEqual([b, c].sort())
    expect(Number(await redis.hget(keys.run, "plan_groups"))).toBe(3)
  })
})
