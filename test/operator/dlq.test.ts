import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { LetterView } from "../../src/dlq/list"
import { groupInfo } from "../../src/run/drain"
import { type ConsumerStage, consumerStages } from "../../src/pipeline/stages"
import { streamKeys, type StreamKeys } from "../../src/streams/keys"
import type { StatusDocument } from "../../src/status/document"
import { pairs } from "../../src/streams/entries"
import { until } from "../support/until"
import { runCli, startCli, stageEnv } from "../support/cli"
import { rowVersions } from "../support/expected"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"
import { createV3Database } from "../support/v3"
import { type Catalog, createFixtureLegacyDatabase } from "./legacy-fixture"
import { smallRun } from "./pipeline"
import { scratchDir } from "../support/scratch"

const redis = testRedis()
const logDir = scratchDir("dlq-test-")
const prefix = testPrefix("dlq")
const keys: StreamKeys = streamKeys(prefix)
const dbs: string[] = []
let legacy: { name: string; url: string; catalog: Catalog }
let v3: { name: string; url: string }
let sql: pg.Pool
let env: NodeJS.ProcessEnv
let target: string

const dlq = (args: string[]) => runCli("stages/dlq.ts", args, env, 60_000)
const listed = async (args: string[]) => {
  const r = await dlq(["list", "--json", ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as { matched: number; letters: LetterView[] }
}
/** entries-added of the extract, products, histories and multimedia streams: what was ever published to them. */
const added = async () =>
  Promise.all(Object.values(keys.stream).map(async (s) => Number(pairs((await redis.call("XINFO", "STREAM", s)) as unknown[])["entries-added"])))

const drained = (stages: ConsumerStage[]) => async () =>
  (await Promise.all(stages.map((s) => groupInfo(redis, keys, s)))).every((g) => g.lag === 0 && g.pending === 0)

/** Runs stage processes until their groups are drained and `ready` holds, then stops them (SIGTERM) and checks they exit cleanly. */
async function runStages(stages: ConsumerStage[], ready: () => Promise<boolean>): Promise<void> {
  const running = stages.map((s) => startCli(`stages/${s}.ts`, [], env))
  try {
    await until(async () => (await drained(stages)()) && (await ready()), `${stages.join(", ")} to drain`)
  } finally {
    running.forEach((r) => r.child.kill("SIGTERM"))
    // 130: stopped by the signal after finishing its batch (src/runtime/main.ts).
    for (const r of running) expect((await r.done).code).toBe(130)
  }
}

beforeAll(async () => {
  legacy = await createFixtureLegacyDatabase(6)
  v3 = await createV3Database()
  dbs.push(legacy.name, v3.name)
  target = legacy.catalog.products.find((p) => p.external_id === "k-plain-002")!.uuid
  sql = new pg.Pool({ connectionString: v3.url, max: 1 })
  // A v3 fault that only this product meets, and not a refused row (which would be isolated): its
  // load-products entry fails every delivery.
  await sql.query(`CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.id = '${target}' THEN RAISE EXCEPTION 'test fault: product % refused', NEW.id USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$`)
  await sql.query("CREATE TRIGGER refuse_one BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION refuse_one()")
  env = stageEnv({
    legacyDb: legacy.name, v3Db: v3.name, prefix,
    extra: { LOG_DIR: logDir, WORKER_ID: prefix, LOG_LEVEL: "warn", ...smallRun, EXTRACT_BATCH_SIZE: "1", MAX_RETRIES: "2", RETRY_DELAY: "0.05", CLAIM_IDLE_MS: "500" },
  })
  const run = await runCli("stages/migrate.ts", [], env)
  expect(run.code, run.stderr).toBe(1)
  expect(run.stderr).toContain("dead-lettered after repeated failures")
}, 120_000)

afterAll(async () => {
  await sql.end()
  await releaseAndCheckLeaks(redis, [prefix], dbs)
})

describe("dlq", () => {
  it("lists dead letters by stage, reason and entity", async () => {
    const failed = await listed(["--stage", "load-products"])
    expect(failed.letters).toHaveLength(1)
    expect(failed.letters[0]).toMatchObject({
      stage: "load-products", reason: "max_deliveries", entity: "entry", kind: "entry", count: 1, deliveries: 3,
      source: { stream: keys.stream.products }, error: expect.stringContaining(`test fault: product ${target} refused`),
    })
    const orphaned = await listed(["--reason", "product_not_loaded"])
    expect(new Set(orphaned.letters.map((l) => l.stage))).toEqual(new Set(["load-histories", "load-multimedia"]))
    expect(orphaned.letters.filter((l) => l.error?.includes(target))).toHaveLength(2)
    const rejected = await listed(["--stage", "transform", "--entity", "product"])
    expect(rejected.letters.map((l) => l.reason).sort()).toEqual(["duplicate_product", "invalid_country", "invalid_price", "unknown_platform"])
    expect(rejected.letters.every((l) => l.kind === "rows" && l.keys?.length === 1)).toBe(true)
    const human = await dlq(["list", "--limit", "1"])
    expect(human.stdout).toMatch(/^id +time +stage +entity +reason +count +error +source +payload/)
    expect(human.stdout).toMatch(/showing 1 of \d+ matching letters/)
  })

  it("retry re-publishes each letter once; the stages then load it; a second retry changes nothing", async () => {
    await sql.query("DROP TRIGGER refuse_one ON products")
    const price = legacy.catalog.products.find((p) => p.external_id === "k-price")!
    const old = new pg.Pool({ connectionString: legacy.url, max: 1 })
    await old.query("UPDATE product SET sale_price = 990, updated_at = '2024-05-01' WHERE uuid = $1", [price.uuid])
    await old.end()
    const entryLetters = (await listed(["--entity", "entry"])).letters
    const before = await added()

    const entries = await dlq(["retry", "--entity", "entry"])
    expect(entries.code, entries.stderr).toBe(0)
    for (const l of entryLetters) expect(entries.stdout).toContain(`re-published entry letter ${l.id} (${l.stage}, ${l.reason})`)
    expect(entries.stdout).toContain("npm run migrate")
    const rows = await dlq(["retry", "--reason", "invalid_price", "--json"])
    expect(JSON.parse(rows.stdout)).toMatchObject({ groupsReextracted: 1, retried: [{ reason: "invalid_price", kind: "rows", stream: keys.stream.extract, keys: ["k-price"] }] })
    const after = await added()
    const byStage = (s: string) => entryLetters.filter((l) => l.stage === s).length
    expect(after).toEqual([before[0]! + 1, before[1]! + byStage("load-products"), before[2]! + byStage("load-histories"), before[3]! + byStage("load-multimedia")])
    expect((await listed(["--entity", "entry"])).matched).toBe(0)

    const present = async (id: string) => (await sql.query("SELECT 1 FROM products WHERE id = $1", [id])).rowCount === 1
    await runStages(["transform", "load-products"], async () => (await present(target)) && (await present(price.uuid)))
    const histories = async () => (await sql.query("SELECT 1 FROM histories WHERE product_id = $1", [target])).rowCount! > 0
    await runStages([...consumerStages], histories)
    expect((await sql.query("SELECT count(*)::int AS n FROM products WHERE id = ANY($1)", [[target, price.uuid]])).rows[0]).toEqual({ n: 2 })
    // The retried entries' rows were read when they first ran: their groups' records say so, and
    // the next daily plan compares every group and plans them again (src/load/group-state.ts).
    const state = await sql.query("SELECT products_sig, histories_sig, multimedia_sig FROM migration.group_state WHERE external_id = 'k-plain-002'")
    expect(entryLetters.map((l) => l.stage).sort()).toEqual(["load-histories", "load-multimedia", "load-products"])
    expect(state.rows).toEqual([{ products_sig: "retried", histories_sig: "retried", multimedia_sig: "retried" }])
    const verified = await runCli("stages/verify.ts", ["--full"], env)
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)

    const versions = await rowVersions(v3.url)
    const settled = await added()
    const again = await dlq(["retry", "--entity", "entry"])
    expect(again.stdout.trim()).toBe("no dead letters match: nothing re-published")
    expect((await dlq(["retry", "--reason", "invalid_price"])).stdout.trim()).toBe("no dead letters match: nothing re-published")
    expect(await added()).toEqual(settled)
    expect(await rowVersions(v3.url)).toEqual(versions)
  })

  it("purge deletes the matching letters and their counts, and wants --yes for all of them", async () => {
    const total = await redis.xlen(keys.dlq)
    const refused = await dlq(["purge"])
    expect(refused.code).toBe(2)
    expect(refused.stderr.trim()).toBe("refusing to purge every dead letter: add --yes, or narrow it with --stage, --reason, --entity or --id")
    expect(await redis.xlen(keys.dlq)).toBe(total)

    const orphans = (await listed(["--reason", "orphan"])).letters
    expect(orphans.length).toBeGreaterThan(0)
    const purged = await dlq(["purge", "--stage", "transform", "--entity", "history", "--reason", "orphan"])
    expect(purged.stdout.trim()).toBe(`purged ${orphans.length} dead letters (${orphans.reduce((n, l) => n + l.count, 0)} rows)`)
    expect((await listed(["--reason", "orphan"])).matched).toBe(0)
    const status = JSON.parse((await runCli("stages/status.ts", ["--json"], env)).stdout) as StatusDocument
    expect(status.deadLetters.entries).toBe(total - orphans.length)
    expect(status.deadLetters.byReason.some((d) => d.reason === "orphan")).toBe(false)

    expect((await dlq(["purge", "--yes"])).code).toBe(0)
    expect(await redis.xlen(keys.dlq)).toBe(0)
    const empty = JSON.parse((await runCli("stages/status.ts", ["--json"], env)).stdout) as StatusDocument
    expect(empty.deadLetters).toEqual({ entries: 0, byReason: [] })
  })
})
