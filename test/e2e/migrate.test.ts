import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli, stageEnv } from "../support/cli"
import { diffTables } from "../support/compare"
import { actualV3, expectedV3, rowVersions } from "../support/expected"
import { openConnections, openRedisClients } from "../support/leaks"
import { createLegacyDatabase } from "../support/legacy"
import { dropDatabase } from "../support/pg"
import { deletePrefix, testPrefix, testRedis } from "../support/redis"
import { streamKeys } from "../../src/streams/keys"
import { createV3Database } from "../support/v3"

const PRODUCTS = 1500
const SEED = 7
const redis = testRedis()
const logDir = mkdtempSync(join(tmpdir(), "migrate-e2e-"))
const dbs: string[] = []
const prefixes: string[] = []
let legacy: { name: string; url: string }
let expected: Awaited<ReturnType<typeof expectedV3>>

async function target() {
  const v3 = await createV3Database()
  const prefix = testPrefix("e2e")
  dbs.push(v3.name)
  prefixes.push(prefix)
  const env = stageEnv({ legacyDb: legacy.name, v3Db: v3.name, prefix, extra: { LOG_DIR: logDir, EXTRACT_BATCH_SIZE: "200" } })
  return { v3, prefix, env }
}

beforeAll(async () => {
  legacy = await createLegacyDatabase(PRODUCTS, SEED)
  dbs.push(legacy.name)
  expected = await expectedV3(legacy.url)
}, 300_000)

afterAll(async () => {
  for (const p of prefixes) await deletePrefix(redis, p)
  for (const p of prefixes) expect(await openRedisClients(redis, p)).toBe(0)
  redis.disconnect()
  expect(await openConnections(dbs)).toBe(0)
  for (const d of dbs) await dropDatabase(d)
})

describe("migrate", () => {
  let first: Awaited<ReturnType<typeof target>>

  it("migrates a quirky legacy database into v3 exactly as the contract demands", async () => {
    first = await target()
    const r = await runCli("stages/migrate.ts", [], first.env)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(diffTables(await actualV3(first.v3.url), expected.tables)).toEqual([])
    expect(r.stdout).toMatch(/^run \S+ \(full\) finished in /m)
    // Every legacy product and history row is accounted for, by reason, as the mapping says.
    const keys = streamKeys(first.prefix)
    const runId = (await redis.hget(keys.lastRun, "id"))!
    const counts = await redis.hgetall(keys.counts(runId))
    for (const [k, v] of Object.entries(expected.counts)) expect([k, Number(counts[k] ?? 0)]).toEqual([k, v])
    expect(Number(counts["extract.products"])).toBe(expected.legacyProducts)
    expect(Number(counts["extract.histories"])).toBe(expected.legacyHistories)
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
    expect(diffTables(await actualV3(t.v3.url), expected.tables)).toEqual([])
  })

  it("migrates only the first 10 non-excluded products in TEST_MODE", async () => {
    const t = await target()
    const r = await runCli("stages/migrate.ts", [], { ...t.env, TEST_MODE: "true" })
    expect(r.code).toBe(0)
    const actual = await actualV3(t.v3.url)
    const migratedIds = actual.products.map((p) => p["id"])
    expect(migratedIds.length).toBeGreaterThan(0)
    expect(migratedIds.length).toBeLessThanOrEqual(10)
    for (const p of actual.products) expect(p).toEqual(expected.tables.products.find((e) => e["id"] === p["id"]))
  })

  it("rejects an unknown option with status 2 and one line", async () => {
    const t = await target()
    const r = await runCli("stages/migrate.ts", ["--fast"], t.env)
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe("unknown option --fast: see npm run migrate -- --help")
  })
})
