import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { mappingConfig } from "../../src/mapping/config"
import { parseReadReply } from "../../src/streams/entries"
import { streamKeys, type StreamKeys } from "../../src/streams/keys"
import type { StatusDocument } from "../../src/status/document"
import { consumeOne } from "../support/consume"
import { transformHandler } from "../../src/transform/handler"
import { runCli, startCli, stageEnv } from "../support/cli"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"
import { createV3Database } from "../support/v3"
import { type Catalog, createFixtureLegacyDatabase } from "./legacy-fixture"
import { smallRun } from "./pipeline"
import { scratchDir } from "../support/scratch"

const redis = testRedis()
const logDir = scratchDir("status-test-")
const dbs: string[] = []
const prefixes: string[] = []
let legacy: { name: string; url: string; catalog: Catalog }
let v3: { name: string; url: string }

const status = async (prefix: string, args: string[]) =>
  runCli("stages/status.ts", args, stageEnv({ prefix, extra: { LOG_LEVEL: "warn" } }), 30_000)

const statusJson = async (prefix: string): Promise<StatusDocument> => {
  const r = await status(prefix, ["--json"])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as StatusDocument
}

beforeAll(async () => {
  legacy = await createFixtureLegacyDatabase(12)
  v3 = await createV3Database()
  dbs.push(legacy.name, v3.name)
}, 60_000)

afterAll(async () => {
  await releaseAndCheckLeaks(redis, prefixes, dbs)
})

describe("status", () => {
  it("says so when nothing has run, even on a prefix without a single key", async () => {
    const prefix = testPrefix("status-empty")
    const human = await status(prefix, [])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain("No migration has run yet")
    const doc = await statusJson(prefix)
    expect(doc).toMatchObject({ version: 1, state: "none", run: null, lastRun: null, deadLetters: { entries: 0, byReason: [] } })
    expect(doc.streams.map((s) => [s.length, s.group.lag, s.group.pending])).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
    // Nothing to do yet is not done: no stage shows a full bar.
    expect(doc.stages.map((s) => s.fraction)).toEqual(doc.stages.map(() => null))
    expect(await redis.keys(`{${prefix}}*`)).toEqual([])
  })

  it("reflects a pipeline stopped mid-run: extract done, one batch transformed, one held unacknowledged", async () => {
    const prefix = testPrefix("status")
    prefixes.push(prefix)
    const keys: StreamKeys = streamKeys(prefix)
    const env = stageEnv({ legacyDb: legacy.name, v3Db: v3.name, prefix, extra: { LOG_DIR: logDir, WORKER_ID: prefix, ...smallRun, EXTRACT_BATCH_SIZE: "4" } })
    const extracted = await runCli("stages/extract.ts", [], env)
    expect(extracted.code, extracted.stderr).toBe(0)
    const entries = await redis.xlen(keys.stream.extract)
    expect(entries).toBeGreaterThan(3)

    // A transform copy takes two entries, finishes the first and dies holding the second.
    const taken = parseReadReply(await redis.call("XREADGROUP", "GROUP", "transform", "ghost", "COUNT", 2, "STREAMS", keys.stream.extract, ">"))
    await consumeOne(redis, keys, "transform", transformHandler({ keys, mapping: mappingConfig(), historyBatchRows: 1000 }), { id: taken[0]!.id, fields: taken[0]!.fields! })

    const doc = await statusJson(prefix)
    expect(doc.state).toBe("in_progress")
    expect(doc.run).toMatchObject({ kind: "full", status: "extracted", testMode: false, totalProducts: legacy.catalog.products.length })
    expect(doc.extract).toMatchObject({ finished: true, units: { done: 3, total: 3 } })
    expect(doc.extract.positions.map((p) => p.unit)).toEqual(["s0", "s1", "orphans"])
    const transform = doc.streams.find((s) => s.group.name === "transform")!
    expect(transform).toMatchObject({ length: entries, entriesAdded: entries })
    expect(transform.group).toMatchObject({ consumers: 1, pending: 1, lag: entries - 2, lastDeliveredId: taken[1]!.id })
    expect(transform.group.consumerList).toMatchObject([{ name: "ghost", pending: 1 }])
    expect(transform.group.oldestPending).toMatchObject({ id: taken[1]!.id, consumer: "ghost", deliveries: 1 })
    const products = doc.streams.find((s) => s.group.name === "load-products")!
    expect(products).toMatchObject({ length: 1, group: { consumers: 0, pending: 0, lag: 1 } })
    expect(doc.stages.find((s) => s.stage === "extract")).toMatchObject({ done: legacy.catalog.products.length, fraction: 1 })

    const counters = await redis.hgetall(keys.dlqCounts)
    expect(Object.keys(counters).length).toBeGreaterThan(0)
    expect(doc.deadLetters.entries).toBe(await redis.xlen(keys.dlq))
    expect(Object.fromEntries(doc.deadLetters.byReason.map((d) => [`${d.stage}|${d.entity}|${d.reason}`, String(d.rows)]))).toEqual(counters)
    expect(doc.counts["extract.products"]).toBe(legacy.catalog.products.length)

    const human = await status(prefix, [])
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/transform consumer ghost: pending 1/)
    expect(human.stdout).toContain(`transform oldest pending ${taken[1]!.id} on ghost`)
    expect(human.stdout).toContain("extract: finished, units 3/3 done")
  })

  it("shows the last run's kind, watermark and change counts once a daily run finished", async () => {
    const prefix = testPrefix("status-last")
    prefixes.push(prefix)
    const target = await createV3Database()
    dbs.push(target.name)
    const env = stageEnv({ legacyDb: legacy.name, v3Db: target.name, prefix, extra: { LOG_DIR: logDir, ...smallRun } })
    for (const kind of ["full", "incremental"]) {
      const r = await runCli("stages/migrate.ts", [], env)
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain(`(${kind}) finished`)
    }
    const doc = await statusJson(prefix)
    const watermark = legacy.catalog.products.map((p) => p.updated_at).sort().at(-1)
    expect(doc.state).toBe("done")
    expect(doc.lastRun).toMatchObject({
      kind: "incremental",
      testMode: false,
      watermark,
      plan: { groups: 0, products: 0, newGroups: 0, productChanges: 0, historyChanges: 0 },
    })
    expect(doc.lastRun?.finishedAt).not.toBeNull()
    // A plan smaller than a few batches is one unit, so its batches are fetched ahead, not one unit
    // at a time; the groups with new history rows are a unit of their own, started before the rest is compared.
    expect(doc.extract.positions.map((p) => p.unit)).toEqual(["early", "s0"])
    const human = await status(prefix, [])
    expect(human.stdout).toContain(watermark!)
    expect(human.stdout).toMatch(/incremental/)
  })

  it("--watch refreshes until interrupted", async () => {
    const { child, done } = startCli("stages/status.ts", ["--watch", "1", "--json"], stageEnv({ prefix: testPrefix("status-watch"), extra: { LOG_LEVEL: "warn" } }))
    let frames = 0
    child.stdout.on("data", (d: Buffer) => (frames += d.toString().split("\n").filter((l) => l.startsWith("{")).length))
    const start = Date.now()
    while (frames < 2 && Date.now() - start < 15_000) await new Promise((r) => setTimeout(r, 100))
    child.kill("SIGINT")
    const r = await done
    expect(frames).toBeGreaterThanOrEqual(2)
    expect(r.code).toBe(130)
    for (const line of r.stdout.trim().split("\n")) expect((JSON.parse(line) as StatusDocument).state).toBe("none")
  })

  it("fails with one line and status 3 when Redis is unreachable", async () => {
    const r = await runCli("stages/status.ts", ["--json"], { ...stageEnv({}), REDIS_URL: "redis://127.0.0.1:1/0" }, 30_000)
    expect(r.code).toBe(3)
    expect(r.stdout).toBe("")
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining("cannot reach Redis at 127.0.0.1:1/0 (REDIS_URL): connect ECONNREFUSED")])
  })

  it("rejects an unknown option with status 2", async () => {
    const r = await status(testPrefix("status-args"), ["--wat"])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe("unknown option --wat: see npm run status -- --help")
  })
})
