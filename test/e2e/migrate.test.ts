import { describe, expect, it } from "vitest"
import { runCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { actualV3, rowVersions } from "../support/expected"
import { e2eFixture } from "../support/e2e"
import { streamKeys } from "../../src/streams/keys"

const world = e2eFixture("e2e", 800, 7, { EXTRACT_BATCH_SIZE: "200" })
const { redis } = world
const target = () => world.target()

describe("migrate", () => {
  let first: Awaited<ReturnType<typeof target>>

  it("migrates a quirky legacy database into v3 exactly as the contract demands", async () => {
    first = await target()
    const r = await runCli("stages/migrate.ts", [], first.env)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(diffTables(await actualV3(first.v3.url), world.expected.tables)).toEqual([])
    expect(r.stdout).toMatch(/^run \S+ \(full\) finished in /m)
    // Every legacy product and history row is accounted for, by reason, as the mapping says.
    const keys = streamKeys(first.prefix)
    const runId = (await redis.hget(keys.lastRun, "id"))!
    const counts = await redis.hgetall(keys.counts(runId))
    for (const [k, v] of Object.entries(world.expected.counts)) expect([k, Number(counts[k] ?? 0)]).toEqual([k, v])
    expect(Number(counts["extract.products"])).toBe(world.expected.legacyProducts)
    expect(Number(counts["extract.histories"])).toBe(world.expected.legacyHistories)
  })

  it("changes nothing when run again over the same legacy data", async () => {
    const before = await rowVersions(first.v3.url)
    const r = await runCli("stages/migrate.ts", [], first.env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\(incremental\) finished/)
    expect(r.stdout).toMatch(/products +read 0:/)
    expect(await rowVersions(first.v3.url)).toEqual(before)
  })

  it("changes nothing when forced to run in full again", async () => {
    const before = await rowVersions(first.v3.url)
    const r = await runCli("stages/migrate.ts", ["--full"], first.env)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\(full\) finished/)
    expect(await rowVersions(first.v3.url)).toEqual(before)
  })

  it("gives the same v3 with two copies of every stage splitting the work", async () => {
    const t = await target()
    const workers = "extract=2,transform=2,load-products=2,load-histories=2,load-multimedia=2"
    const r = await runCli("stages/migrate.ts", ["--workers", workers], t.env)
    expect(r.code).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("migrates the same under Node with tsx, every stage included", async () => {
    const t = await target()
    const r = await runCli("stages/migrate.ts", [], t.env, 300_000, "node")
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/\(full\) finished/)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("migrates only the first 10 non-excluded products in TEST_MODE", async () => {
    const t = await target()
    const r = await runCli("stages/migrate.ts", [], { ...t.env, TEST_MODE: "true" })
    expect(r.code).toBe(0)
    const actual = await actualV3(t.v3.url)
    const migratedIds = actual.products.map((p) => p["id"])
    expect(migratedIds.length).toBeGreaterThan(0)
    expect(migratedIds.length).toBeLessThanOrEqual(10)
    for (const p of actual.products) expect(p).toEqual(world.expected.tables.products.find((e) => e["id"] === p["id"]))
  })

  it("rejects an unknown option with status 2 and one line", async () => {
    const t = await target()
    const r = await runCli("stages/migrate.ts", ["--fast"], t.env)
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe("unknown option --fast: see npm run migrate -- --help")
  })

  it("rejects a bad --workers value with status 2 before connecting, even with every server down", async () => {
    const down = { ...(await target()).env, OLD_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", PRODUCTS_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", REDIS_URL: "redis://127.0.0.1:1/0" }
    const r = await runCli("stages/migrate.ts", ["--workers", "load-histories=many"], down)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/--workers/)
  })
})
