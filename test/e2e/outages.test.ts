import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { exitsWithin, startCli, runCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { productCount } from "../support/pg"
import { actualV3, expectedV3, type V3Tables } from "../support/expected"
import { privateServices, type PrivateServices } from "../support/site"
import { until } from "../support/until"
import { scratchDir } from "../support/scratch"

/**
 * Servers fail: every test here restarts or stops this file's own PostgreSQL and Redis
 * (test/support/site.ts) under a running migration, and checks the run rides it out and ends
 * with exactly the rows an uninterrupted run produces.
 */
let services: PrivateServices
let expected: V3Tables
const logDir = scratchDir("migrate-outages-")
let n = 0

beforeAll(async () => {
  services = await privateServices("outages")
  await services.seedLegacy("legacy", 800, 21)
  expected = (await expectedV3(services.urls.db("legacy"))).tables
}, 300_000)

afterAll(async () => {
  await services.stop()
})

/** A fresh v3 database and key prefix on the private site, and the environment of a migrate pointed at them. */
async function target(extra: Record<string, string> = {}) {
  n += 1
  const v3 = `v3_${n}`
  await services.migrateSchema(v3)
  // Small batches: many entries in flight when a server goes away; short claim and retry times.
  const env = services.env("legacy", v3, `outage-${n}`, {
    LOG_DIR: join(logDir, String(n)), EXTRACT_BATCH_SIZE: "40", HISTORY_BATCH_ROWS: "500", CLAIM_IDLE_MS: "2000", RETRY_DELAY: "0.5", ...extra,
  })
  return { v3, url: services.urls.db(v3), env }
}

/** Products in v3, or 0 while its server is away. */
const products = (url: string) => productCount(url).catch(() => 0)

/** Starts migrate and waits until a quarter of the products are in v3: the moment to break something. */
async function underway(t: Awaited<ReturnType<typeof target>>) {
  const run = startCli("stages/migrate.ts", [], t.env)
  await until(async () => (await products(t.url)) > expected.products.length / 4, "a quarter of the products", 120_000)
  return run
}

/** A migrate run to its end: exit 0 and exactly the rows an uninterrupted run produces. */
async function migratesCleanly(t: Awaited<ReturnType<typeof target>>, kind?: "full" | "incremental") {
  const r = await runCli("stages/migrate.ts", [], t.env)
  expect(r.code, r.stderr).toBe(0)
  if (kind) expect(r.stdout).toMatch(new RegExp(`\\(${kind}\\) finished`))
  expect(diffTables(await actualV3(t.url), expected)).toEqual([])
  return r
}

const lines = (out: string, re: RegExp) => out.split("\n").filter((l) => re.test(l))

/** JSON documents a running `status --watch --json` printed so far. */
const printed = new WeakMap<object, string[]>()
function watchLines(w: ReturnType<typeof startCli>): number {
  if (!printed.has(w)) {
    const docs: string[] = []
    printed.set(w, docs)
    w.child.stdout!.on("data", (d: Buffer) => docs.push(...d.toString().split("\n").filter((l) => l.startsWith("{"))))
  }
  return printed.get(w)!.length
}

describe("a migration under server outages", () => {
  it("rides out a Redis restart mid-run: exit 0, the same v3 as an uninterrupted run, one line when it starts and one when it ends", async () => {
    const t = await target()
    const run = await underway(t)
    expect(await services.stopRedis()).toBe("redis stopped")
    await new Promise((r) => setTimeout(r, 3_000))
    await services.startRedis()
    const r = await exitsWithin(run, 150_000, t.env["LOG_DIR"])
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.url), expected)).toEqual([])
    expect(lines(r.stdout, /"msg":"Redis at [^"]* is unreachable/)).toHaveLength(1)
    expect(lines(r.stdout, /"msg":"Redis at [^"]* is back after/)).toHaveLength(1)
  })

  it("rides out a PostgreSQL restart mid-run (legacy cursor and v3 writes cut): exit 0 and the same v3", async () => {
    const t = await target()
    const run = await underway(t)
    services.restartPostgres()
    const r = await exitsWithin(run, 150_000, t.env["LOG_DIR"])
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.url), expected)).toEqual([])
  })

  it("decides a run is finished from what is left in the streams, not from a lag Redis lost in an AOF reload", async () => {
    const t = await target()
    await migratesCleanly(t, "full")
    await services.stopRedis()
    await services.startRedis()
    await migratesCleanly(t, "incremental")
  })

  it("gives up on a Redis down longer than OUTAGE_TIMEOUT with exit 3 and one line naming it and the setting; the next run resumes", async () => {
    const t = await target({ OUTAGE_TIMEOUT: "4" })
    const run = await underway(t)
    await services.stopRedis()
    const r = await run.done
    await services.startRedis()
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^Redis at 127\.0\.0\.1:\d+\/0 \(REDIS_URL\) was unreachable for 4 s, longer than OUTAGE_TIMEOUT: .*run again/),
    ])
    await migratesCleanly(t, "full")
  })

  it("gives up on PostgreSQL down longer than OUTAGE_TIMEOUT with exit 3 naming the database setting", async () => {
    const t = await target({ OUTAGE_TIMEOUT: "4" })
    const run = await underway(t)
    services.stopPostgres()
    const r = await run.done
    services.startPostgres()
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split("\n")).toEqual([
      // Said by migrate, or by the stage that gave up first (migrate then stops the others).
      expect.stringMatching(/^([a-z-]+ stopped \(exit status 3\): )?the (v3|legacy) database at 127\.0\.0\.1:\d+\/\w+ \((PRODUCTS|OLD)_DATABASE_URL\) was unreachable for 4 s, longer than OUTAGE_TIMEOUT/),
    ])
    await migratesCleanly(t)
  })

  it("keeps status --watch going through a Redis restart, saying so once", async () => {
    const t = await target()
    await migratesCleanly(t, "full")
    const watch = startCli("stages/status.ts", ["--watch", "1", "--json"], t.env)
    await until(() => watchLines(watch) >= 2, "status to print twice")
    await services.stopRedis()
    await new Promise((r) => setTimeout(r, 2_500))
    await services.startRedis()
    const before = watchLines(watch)
    await until(() => watchLines(watch) >= before + 2, "status to print after the restart", 30_000)
    watch.child.kill("SIGINT")
    const r = await watch.done
    expect(r.code).toBe(130)
    expect(r.stderr.split("\n").filter((l) => / is unreachable .*waiting up to/.test(l))).toHaveLength(1)
    expect(r.stderr.split("\n").filter((l) => / is back after /.test(l))).toHaveLength(1)
  })

  it("says that Redis lost the run when it comes back empty (no persistence), instead of starting a silent new run", async () => {
    const t = await target()
    const run = await underway(t)
    await services.stopRedis()
    services.wipeRedis()
    await services.startRedis()
    const r = await run.done
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Redis no longer holds run \S+ \(it restarted without persistence/)])
    // Starting over completes the migration: v3 kept what was loaded and the new run loads the rest.
    await migratesCleanly(t)
  })
})
