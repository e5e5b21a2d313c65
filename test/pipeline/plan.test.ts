import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keyBatches } from "../../src/extract/batches"
import { slicePlanCursor } from "../../src/extract/plan"
import { dailyBatchSize, planOnce, type PlannerDeps } from "../../src/extract/planner"
import { recordedSlicing, sliceWhere } from "../../src/extract/slices"
import { UnitLeases } from "../../src/extract/units"
import { createLogger } from "../../src/log/logger"
import type { RunState } from "../../src/run/state"
import { streamKeys } from "../../src/streams/keys"
import { createLegacyDatabase } from "../support/legacy"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"
import { until } from "../support/until"
import { createV3Database } from "../support/v3"

/**
 * The incremental plan is computed once per run by whichever extract copy takes its lease; the
 * others wait for it. A plan of a large catalog can take longer than a lease lasts.
 */
const redis = testRedis()
const prefix = testPrefix("plan")
const keys = streamKeys(prefix)
const lostPrefix = testPrefix("plan-lost")
const dbs: string[] = []
const pools: pg.Pool[] = []
let legacy: pg.Pool
let v3: pg.Pool
let v3Url: string
const run: RunState = { id: "rplantest", kind: "incremental", status: "extracting", testMode: false, slices: 4, startedAt: Date.now() }
const log = createLogger({ name: "test", level: "silent" })

beforeAll(async () => {
  const l = await createLegacyDatabase(800, 11)
  const v = await createV3Database()
  dbs.push(l.name, v.name)
  v3Url = v.url
  legacy = new pg.Pool({ connectionString: l.url, max: 3 })
  v3 = new pg.Pool({ connectionString: v.url, max: 2 })
  pools.push(legacy, v3)
}, 120_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  await releaseAndCheckLeaks(redis, [prefix, lostPrefix], dbs)
})

const copy = (owner: string): { d: PlannerDeps; leases: UnitLeases } => {
  const d: PlannerDeps = { legacy, v3, redis, keys, run, owner, batchSize: 20, log, signal: new AbortController().signal }
  // A lease of 1.5 s, renewed every 0.5 s: a plan held up for 4.5 s outlasts it three times over.
  return { d, leases: new UnitLeases(redis, keys, run, owner, 1_500) }
}

describe("the incremental plan", () => {
  it("is planned by one copy only, even when it outlasts the plan lease", async () => {
    // Holds the plan up: its transaction waits for this lock on the table it writes.
    const blocker = new pg.Client({ connectionString: v3Url })
    await blocker.connect()
    await blocker.query("BEGIN")
    await blocker.query("LOCK TABLE migration.plan_keys IN ACCESS EXCLUSIVE MODE")
    try {
      const a = copy("extract-a")
      const b = copy("extract-b")
      const first = planOnce(a.d, a.leases)
      await until(async () => (await redis.get(keys.unitLease(run.id, "plan"))) === "extract-a")
      await new Promise((r) => setTimeout(r, 4_500))
      // Without renewal the lease would have lapsed and b would plan too, blocking on the same lock.
      const second = await Promise.race([planOnce(b.d, b.leases), new Promise((r) => setTimeout(() => r("planning alongside"), 2_000))])
      expect(second).toBe("busy")
      await blocker.query("COMMIT")
      expect(await first).toBe("planned")
      expect(await planOnce(b.d, b.leases)).toBe("done")
    } finally {
      await blocker.end()
    }
    // Every legacy group is new to an empty v3: the plan holds them all.
    const planned = (await v3.query<{ n: number }>("SELECT count(*)::int AS n FROM migration.plan_keys WHERE run_id = $1", [run.id])).rows[0]!.n
    const groups = (await legacy.query<{ n: number }>("SELECT count(DISTINCT external_id)::int AS n FROM product")).rows[0]!.n
    expect(planned).toBeGreaterThanOrEqual(groups)
    expect(Number(await redis.hget(keys.run, "plan_groups"))).toBe(planned)
    // Every extract copy cuts it in batches of the size recorded with it: EXTRACT_BATCH_SIZE here.
    expect(Number(await redis.hget(keys.run, "batch_size"))).toBe(20)
    // The lease is given back once the plan is recorded.
    expect(await redis.get(keys.unitLease(run.id, "plan"))).toBeNull()
  }, 60_000)

  it("is cut into ranges of its keys, recorded with it, that together list every planned key once", async () => {
    // The plan of the test above: about 800 groups in batches of 20, split as planSlices says (four units).
    const slices = Number(await redis.hget(keys.run, "slices"))
    expect(slices).toBeGreaterThan(1)
    const slicing = await recordedSlicing(redis, keys, slices)
    expect("bounds" in slicing && slicing.bounds).toHaveLength(slices - 1)
    const listed: string[] = []
    for (let s = 0; s < slices; s++) {
      const params: unknown[] = [run.id]
      const unit: string[] = []
      for await (const b of keyBatches(v3, slicePlanCursor(sliceWhere(slicing, s, null, "k.external_id", params)!), params, 50)) unit.push(...b.keys)
      expect(unit.length).toBeGreaterThan(0)
      listed.push(...unit)
    }
    const { rows } = await v3.query<{ k: string }>("SELECT external_id AS k FROM migration.plan_keys WHERE run_id = $1 ORDER BY external_id", [run.id])
    expect(listed).toEqual(rows.map((r) => r.k))
  })

  it("cuts a small daily plan into smaller batches, never below 100 products nor above EXTRACT_BATCH_SIZE", () => {
    // The 400k quiet day: 3,380 products in 22 batches of 154, not 7 of 500.
    expect(dailyBatchSize(3_380, 500)).toBe(154)
    expect(dailyBatchSize(200_000, 500)).toBe(500)
    expect(dailyBatchSize(40, 500)).toBe(100)
    expect(dailyBatchSize(40, 20)).toBe(20)
  })

  it("gives its lease back at once when planning fails, so another copy can plan without waiting it out", async () => {
    const other: RunState = { ...run, id: "rplanfail" }
    // A "legacy" database without the legacy tables: the plan's first scan fails.
    const d: PlannerDeps = { legacy: v3, v3, redis, keys, run: other, owner: "extract-a", batchSize: 50, log, signal: new AbortController().signal }
    await expect(planOnce(d, new UnitLeases(redis, keys, other, "extract-a", 60_000))).rejects.toThrow(/product/)
    expect(await redis.get(keys.unitLease(other.id, "plan"))).toBeNull()
    expect(await planOnce({ ...d, legacy, owner: "extract-b" }, new UnitLeases(redis, keys, other, "extract-b", 60_000))).toBe("planned")
  })

  it("records nothing when its lease passed to another copy while it planned", async () => {
    const other: RunState = { ...run, id: "rplanlost" }
    const keys = streamKeys(lostPrefix)
    const d: PlannerDeps = { legacy, v3, redis, keys, run: other, owner: "extract-a", batchSize: 50, log, signal: new AbortController().signal }
    const blocker = new pg.Client({ connectionString: v3Url })
    await blocker.connect()
    await blocker.query("BEGIN")
    await blocker.query("LOCK TABLE migration.plan_keys IN ACCESS EXCLUSIVE MODE")
    try {
      const planning = planOnce(d, new UnitLeases(redis, keys, other, "extract-a", 1_500))
      const lease = keys.unitLease(other.id, "plan")
      await until(async () => (await redis.get(lease)) === "extract-a")
      // What a stall past the lease looks like from here: another copy holds it now.
      await redis.set(lease, "extract-z", "PX", 60_000)
      await new Promise((r) => setTimeout(r, 1_000))
      await blocker.query("COMMIT")
      expect(await planning).toBe("busy")
      // Not marked done: the copy holding the lease plans and records it.
      expect((await new UnitLeases(redis, keys, other, "extract-a").positions()).get("plan")).toBeUndefined()
      expect(await redis.hgetall(keys.run)).toEqual({})
      expect(await redis.get(lease)).toBe("extract-z")
    } finally {
      await blocker.end()
    }
  })
})
