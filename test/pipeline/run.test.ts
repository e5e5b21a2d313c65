import { createLogger } from "../../src/log/logger"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { explainRunLoss } from "../../src/run/lost"
import { beginOrResumeRun } from "../../src/run/state"
import { UserFacingError } from "../../src/runtime/errors"
import { streamKeys } from "../../src/streams/keys"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"
import { createV3Database } from "../support/v3"

const redis = testRedis()
const prefix = testPrefix("runs")
const keys = streamKeys(prefix)
const dbs: string[] = []
const pools: pg.Pool[] = []
let a: pg.Pool
let b: pg.Pool
const opts = { full: false, testMode: false, slices: 2, onStale: "discard" as const, log: createLogger({ name: "test", level: "silent" }) }

beforeAll(async () => {
  const created = [await createV3Database(), await createV3Database()]
  dbs.push(...created.map((d) => d.name))
  pools.push(...created.map((d) => new pg.Pool({ connectionString: d.url, max: 2 })))
  ;[a, b] = pools as [pg.Pool, pg.Pool]
}, 60_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  await releaseAndCheckLeaks(redis, [prefix], dbs)
})

const runStatus = async (pool: pg.Pool, id: string) =>
  (await pool.query<{ status: string }>("SELECT status FROM migration.runs WHERE id = $1", [id])).rows[0]?.status

describe("starting or resuming a run", () => {
  it("resumes the unfinished run of the same v3 database, and starts afresh over another database's leftovers", async () => {
    const first = await beginOrResumeRun(redis, a, keys, opts)
    expect(first.resumed).toBe(false)
    await redis.xadd(keys.stream.products, "*", "run", first.run.id, "payload", "{}")

    const again = await beginOrResumeRun(redis, a, keys, opts)
    expect(again).toMatchObject({ resumed: true, run: { id: first.run.id } })
    expect(await redis.xlen(keys.stream.products)).toBe(1)

    // Same Redis prefix, another (empty) v3 database: the rest of A's run must not land in B.
    const other = await beginOrResumeRun(redis, b, keys, opts)
    expect(other.resumed).toBe(false)
    expect(other.run.id).not.toBe(first.run.id)
    expect(other.discarded?.id).toBe(first.run.id)
    expect(other.discarded?.reason).toMatch(/never started it/)
    expect(await redis.xlen(keys.stream.products)).toBe(0)
    expect(other.run.kind).toBe("full")
  })

  it("lets a stage copy refuse, in one line, to join a run its v3 database never started", async () => {
    const err = await beginOrResumeRun(redis, a, keys, { ...opts, onStale: "fail" }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserFacingError)
    expect(String((err as Error).message)).toMatch(/^the unfinished run \S+ cannot be joined: this v3 database never started it .*npm run migrate/)
    expect((err as Error).message).not.toContain("\n")
  })

  it("does not resume a run of another TEST_MODE, and records the run it drops as abandoned", async () => {
    const current = await beginOrResumeRun(redis, b, keys, opts)
    expect(current.resumed).toBe(true)
    const test = await beginOrResumeRun(redis, b, keys, { ...opts, testMode: true })
    expect(test.resumed).toBe(false)
    expect(test.run.testMode).toBe(true)
    expect(test.discarded?.reason).toMatch(/TEST_MODE=false .* TEST_MODE is now true/)
    expect(await runStatus(b, current.run.id)).toBe("abandoned")
    expect(await runStatus(b, test.run.id)).toBe("running")
  })
})

describe("a run Redis no longer holds", () => {
  it("is named as lost when a poll fails on its vanished streams, instead of Redis's 'no such key'", async () => {
    const lostKeys = streamKeys(`${prefix}-lost`)
    const poll = () => redis.xinfo("GROUPS", lostKeys.stream.products)
    await expect(poll()).rejects.toThrow(/no such key/)
    const err = await explainRunLoss(redis, lostKeys, "run-1", poll).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UserFacingError)
    expect((err as Error).message).toMatch(/^Redis no longer holds run run-1 \(it restarted without persistence/)
  })

  it("keeps a poll's own error while the run is still there", async () => {
    const { run } = await beginOrResumeRun(redis, a, keys, opts)
    const boom = new Error("boom")
    await expect(explainRunLoss(redis, keys, run.id, () => Promise.reject(boom))).rejects.toBe(boom)
    await expect(explainRunLoss(redis, keys, run.id, () => Promise.resolve(7))).resolves.toBe(7)
  })
})
