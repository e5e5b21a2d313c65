import pg from "pg"
import { describe, expect, it } from "vitest"
import { defaultWorkers } from "../../src/supervisor/workers"
import { processAlive } from "../../src/runtime/pids"
import { runCli, startCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { productCount } from "../support/pg"
import { e2eFixture } from "../support/e2e"
import { actualV3 } from "../support/expected"
import { until } from "../support/until"
import { childrenOf } from "../support/processes"

/** The consumer copies a migrate with default --workers starts: every stage but extract. */
const defaultConsumerCopies = Object.entries(defaultWorkers).reduce((n, [stage, copies]) => (stage === "extract" ? n : n + copies), 0)

// Small batches: the run lasts long enough to act on while it is going.
const world = e2eFixture("supervise", 800, 13, { EXTRACT_BATCH_SIZE: "40", HISTORY_BATCH_ROWS: "500", CLAIM_IDLE_MS: "1000", RETRY_DELAY: "0.2" })



const started = (url: string) => until(async () => (await productCount(url)) > world.expected.tables.products.length / 5, "the run to be under way", 120_000)

describe("one supervisor per pipeline, no orphans, no stale writers", () => {
  it("refuses a second migrate on the same prefix with one line, while the first finishes undisturbed", async () => {
    const t = await world.target()
    const first = startCli("stages/migrate.ts", [], t.env)
    await started(t.v3.url)
    // Hold the first run's product inserts while the second starts: on a loaded machine the whole
    // 800-product run can otherwise end first, and the second then rightly runs (CI saw exit 0).
    const hold = new pg.Client({ connectionString: t.v3.url })
    await hold.connect()
    try {
      await hold.query("BEGIN")
      await hold.query("LOCK TABLE products IN SHARE MODE")
      expect(await productCount(t.v3.url)).toBeLessThan(world.expected.tables.products.length)
      const second = await runCli("stages/migrate.ts", [], t.env)
      expect(second.code).toBe(1)
      expect(second.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^another migrate \(host \S+, pid \d+\) is running this pipeline \(STREAM_PREFIX=\S+\): wait for it/)])
    } finally {
      await hold.query("ROLLBACK")
      await hold.end()
    }
    const r = await first.done
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("stops the stages of a migrate killed with -9, and a run on the same prefix into another v3 database gets every row while the old one gets none", async () => {
    const old = await world.target()
    const run = startCli("stages/migrate.ts", [], old.env)
    await started(old.v3.url)
    const stages = childrenOf(run.child.pid!)
    // Every consumer copy at least (extract may already have published everything and exited).
    expect(stages.length).toBeGreaterThanOrEqual(defaultConsumerCopies)
    process.kill(run.child.pid!, "SIGKILL")
    await run.done
    // Orphaned, each stage notices its migrate is gone and stops after its batch.
    await until(() => stages.every((pid) => !processAlive(pid)), "the orphaned stages to stop", 90_000)
    const before = await productCount(old.v3.url)
    const fresh = await world.target()
    const r = await runCli("stages/migrate.ts", [], { ...fresh.env, STREAM_PREFIX: old.prefix })
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(fresh.v3.url), world.expected.tables)).toEqual([])
    expect(await productCount(old.v3.url)).toBe(before)
  })

  it("stops a stage copy pointed at another v3 database than the run's before it writes anything", async () => {
    const t = await world.target()
    const elsewhere = await world.target()
    const run = startCli("stages/migrate.ts", [], t.env)
    await started(t.v3.url)
    const stray = await runCli("stages/load-products.ts", [], { ...elsewhere.env, STREAM_PREFIX: t.prefix, WORKER_ID: "stray" })
    expect(stray.code).toBe(1)
    expect(stray.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^run \S+ was started against another v3 database than this process's PRODUCTS_DATABASE_URL: stopping without writing/)])
    expect(await productCount(elsewhere.v3.url)).toBe(0)
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("refuses a second process working as the same stage under the same WORKER_ID", async () => {
    const t = await world.target()
    const env = { ...t.env, WORKER_ID: "twin" }
    const first = startCli("stages/transform.ts", [], env)
    await until(async () => (await world.redis.exists(`{${t.prefix}}:consumer:transform:twin`)) === 1, "the first copy to start")
    const second = await runCli("stages/transform.ts", [], env)
    first.child.kill("SIGTERM")
    expect((await first.done).code).toBe(130)
    expect(second.code).toBe(2)
    expect(second.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^another process \(\S+:\d+\) runs transform as twin in STREAM_PREFIX=\S+: give each copy its own WORKER_ID/)])
  })
})
