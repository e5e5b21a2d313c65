import { join } from "node:path"
import pg from "pg"
import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { defaultWorkers } from "../../src/supervisor/workers"
import { consumerStages } from "../../src/pipeline/stages"
import { readDeadLetters } from "../../src/streams/dead-letter"
import { streamKeys } from "../../src/streams/keys"
import { runCli, startCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { productCount } from "../support/pg"
import { e2eFixture } from "../support/e2e"
import { actualV3 } from "../support/expected"
import { queryRows } from "../support/pg"
import { until } from "../support/until"
import { childrenOf, commandOf, killNow } from "../support/processes"

/** The consumer copies a migrate with default --workers starts: every stage but extract. */
const defaultConsumerCopies = Object.entries(defaultWorkers).reduce((n, [stage, copies]) => (stage === "extract" ? n : n + copies), 0)

// Small batches and short claim/retry times: many entries in flight when something dies.
const world = e2eFixture("crash", 800, 11, { EXTRACT_BATCH_SIZE: "40", HISTORY_BATCH_ROWS: "500", CLAIM_IDLE_MS: "1000", RETRY_DELAY: "0.2" })
const { redis, logDir, target } = world

/** The keys and foreign keys of the tables a bulk load builds at the end. */
const contractKeys = async (url: string) =>
  queryRows(url, `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint
    WHERE conrelid IN ('histories'::regclass, 'multimedia'::regclass, 'products'::regclass, 'migration.provider_claims'::regclass) ORDER BY 1, 2`)


describe("crash safety", () => {
  it("ends identical to an uninterrupted run after kill -9 of migrate and every stage mid-run, then migrate again", async () => {
    const t = await target()
    const run = startCli("stages/migrate.ts", [], t.env)
    await until(async () => (await productCount(t.v3.url)) > world.expected.tables.products.length / 4, "a quarter of the products in v3", 120_000)
    const stages = childrenOf(run.child.pid!)
    // Every consumer copy at least (extract may already have published everything and exited).
    expect(stages.length).toBeGreaterThanOrEqual(defaultConsumerCopies)
    killNow([...stages, run.child.pid!])
    await run.done
    // Interrupted mid-load. Not asserted on products: with the entries already in Redis,
    // load-products can finish all of them between the poll above and the signal (631 of 631 in
    // one CI run); the history rows trail far behind.
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).not.toEqual([])
    const again = await runCli("stages/migrate.ts", [], t.env)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/\(full\) finished/)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  }, 240_000)

  it("stops every stage gracefully on SIGINT, exits 130, and the next migrate resumes to the same result", async () => {
    const t = await target()
    const run = startCli("stages/migrate.ts", [], t.env)
    await until(async () => (await productCount(t.v3.url)) > world.expected.tables.products.length / 4, "a quarter of the products in v3", 120_000)
    const stages = childrenOf(run.child.pid!)
    run.child.kill("SIGINT")
    const stopped = await run.done
    expect(stopped.code, stopped.stderr).toBe(130)
    // No stage outlives migrate.
    for (const pid of stages) expect(() => process.kill(pid, 0)).toThrow()
    // Interrupted mid-load. Not asserted on products: with the entries already in Redis,
    // load-products can finish all of them between the poll above and the signal (631 of 631 in
    // one CI run); the history rows trail far behind.
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).not.toEqual([])
    const again = await runCli("stages/migrate.ts", [], t.env)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/\(full\) finished/)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("restarts a stage killed with -9 while migrate runs and loses nothing", async () => {
    const t = await target()
    const run = startCli("stages/migrate.ts", [], t.env)
    for (const stage of consumerStages) {
      await until(async () => childrenOf(run.child.pid!).some((pid) => new RegExp(`stages/${stage}\\.[jt]s\\b`).test(commandOf(pid))), `${stage} to run`, 120_000)
      const victim = childrenOf(run.child.pid!).find((pid) => new RegExp(`stages/${stage}\\.[jt]s\\b`).test(commandOf(pid)))!
      killNow([victim])
      await new Promise((r) => setTimeout(r, 300))
    }
    const r = await run.done
    expect(r.code).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it.each(["load-products", "load-histories", "load-multimedia"])(
    "writes no duplicate when %s dies after its commit and before its XACK",
    async (stage) => {
      const marker = join(logDir, `fault-${stage}`)
      const t = await target({ MIGRATOR_FAULT: `${stage}:after-commit:3:${marker}` })
      const r = await runCli("stages/migrate.ts", [], t.env)
      expect(r.code).toBe(0)
      // The stage really died between its commit and its acknowledgement, and was restarted.
      expect(existsSync(marker)).toBe(true)
      expect(r.stdout).toMatch(new RegExp(`"stage":"${stage}".*"msg":"stage exited; restarting it"`))
      expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
    },
  )

  it("resumes a crash in the middle of the first full load's key build to the same end state, every key and foreign key in place", async () => {
    const marker = join(logDir, "fault-bulk-build")
    const t = await target({ MIGRATOR_FAULT: `migrate:bulk-build:2:${marker}` })
    const crashed = await runCli("stages/migrate.ts", [], t.env)
    expect(crashed.signal).toBe("SIGKILL")
    expect(existsSync(marker)).toBe(true)
    const again = await runCli("stages/migrate.ts", [], t.env)
    expect(again.code, again.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
    expect(await contractKeys(t.v3.url)).toEqual(await contractKeys(world.templateUrl))
  }, 240_000)

  it("dead-letters a poison entry after MAX_RETRIES deliveries while the rest flows on, and counts as migrated only what v3 holds", async () => {
    const t = await target({ MAX_RETRIES: "2" })
    const poisoned = world.expected.tables.products[Math.floor(world.expected.tables.products.length / 2)]!["id"] as string
    const c = new pg.Client({ connectionString: t.v3.url })
    await c.connect()
    // An internal error, not a refused row: the whole entry fails every time (a refused row is isolated instead).
    await c.query(`CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = '${poisoned}' THEN RAISE EXCEPTION 'product % is poison', NEW.id USING ERRCODE = 'XX000'; END IF; RETURN NEW; END $$`)
    await c.query("CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION poison()")
    await c.end()
    const r = await runCli("stages/migrate.ts", [], t.env)
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(/^run finished, but \d+ stream entries were dead-lettered after repeated failures: .*npm run dlq -- list/)
    const letters = []
    for await (const l of readDeadLetters(redis, streamKeys(t.prefix), { stage: "load-products" })) letters.push(l)
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({ reason: "max_deliveries", deliveries: 3 })
    expect(letters[0]!.error).toContain(`product ${poisoned} is poison`)
    // Everything outside the poisoned batch is in v3.
    const payload = JSON.parse(JSON.parse(letters[0]!.payload)["payload"]) as { groups: { products: { id: string }[] }[] }
    const inLetter = new Set(payload.groups.flatMap((g) => g.products.map((p) => p.id)))
    const actual = await actualV3(t.v3.url)
    expect(actual.products.map((p) => p["id"])).toEqual(world.expected.tables.products.map((p) => p["id"]).filter((id) => !inLetter.has(id as string)))
    // The summary's "migrated" is what v3 holds; the products of the failed entry are "failed".
    expect(r.stdout).toContain(`migrated ${actual.products.length.toLocaleString("en-US")},`)
    expect(r.stdout).toContain(`failed ${inLetter.size} (their entries were dead-lettered)`)
    expect(r.stdout).toMatch(/v3 check +[\d,]+ products of this run in v3 = [\d,]+ migrated \+ 0 kept/)
  })
})
