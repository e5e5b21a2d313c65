import { beforeAll, describe, expect, it } from "vitest"
import type { LegacyHistory, LegacyProduct } from "../../src/mapping/types"
import { readDeadLetters } from "../../src/streams/dead-letter"
import { streamKeys } from "../../src/streams/keys"
import { runCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { e2eFixture } from "../support/e2e"
import { actualV3, expectedV3, rowVersions, type V3Tables } from "../support/expected"
import { legacyHistory, legacyProduct } from "../support/legacy-rows"
import { queryRows } from "../support/pg"
import { insertLegacy } from "../operator/legacy-fixture"

/**
 * Hostile rows among a seeded catalog: a number beyond `integer`, a date after 2099, a product
 * whose history spans 2015–2099 (31,046 rows after gap filling), and a product the v3 database
 * refuses. Each costs exactly itself.
 */
const world = e2eFixture("hostile", 1000, 17, { EXTRACT_BATCH_SIZE: "300" })

const huge = legacyProduct({ external_id: "hostile-variations", variations_amount: 1e12 })
const far = legacyProduct({ external_id: "hostile-far" })
const long = legacyProduct({ external_id: "hostile-long" })
const refused = legacyProduct({
  external_id: "hostile-refused",
  provider: { externalId: "hostile-provider", name: "Solo", verified: true },
  gallery: [{ url: "products/x.jpg" }, { url: "products/y.jpg" }],
})
const histories: LegacyHistory[] = [
  legacyHistory(huge, "2024-01-01"),
  legacyHistory(far, "2024-01-01"),
  legacyHistory(far, "2024-01-03"),
  legacyHistory(far, "9999-12-31"),
  legacyHistory(long, "2015-01-01"),
  legacyHistory(long, "2099-12-31"),
  legacyHistory(refused, "2024-02-01"),
  legacyHistory(refused, "2024-02-04"),
]

beforeAll(async () => {
  await insertLegacy(world.legacy.url, { products: [huge, far, long, refused] as LegacyProduct[], histories })
  world.expected = await expectedV3(world.legacy.url)
}, 300_000)

const sql = queryRows

/** The contract's rows without those of the given product (and its provider, which only it names). */
function without(tables: V3Tables, productId: string, providerId: string): V3Tables {
  return {
    ...tables,
    products: tables.products.filter((r) => r["id"] !== productId),
    histories: tables.histories.filter((r) => r["product_id"] !== productId),
    multimedia: tables.multimedia.filter((r) => r["product_id"] !== productId),
    providers: tables.providers.filter((r) => r["id"] !== providerId),
  }
}

describe("hostile rows", () => {
  it("migrates a number beyond integer as 0, drops a date after 2099, and loads a 31,046-row history split across entries", async () => {
    const t = await world.target()
    const r = await runCli("stages/migrate.ts", [], t.env)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
    expect(await sql(t.v3.url, "SELECT variations_amount FROM products WHERE id = $1", [huge.uuid])).toEqual([{ variations_amount: 0 }])
    expect(await sql(t.v3.url, "SELECT max(date)::text AS d FROM histories WHERE product_id = $1", [far.uuid])).toEqual([{ d: "2024-01-03" }])
    expect(await sql(t.v3.url, "SELECT count(*)::int AS n FROM histories WHERE product_id = $1", [long.uuid])).toEqual([{ n: 31_046 }])
    // The long product's rows travelled in more than one entry (HISTORY_BATCH_ROWS is 20,000), and
    // the group's signature was recorded once its last part landed: a second run finds nothing to do.
    const keys = streamKeys(t.prefix)
    const counts = await world.redis.hgetall(keys.counts((await world.redis.hget(keys.lastRun, "id"))!))
    expect(Number(counts["histories.dropped.invalid_date"])).toBeGreaterThan(0)
    expect(await sql(t.v3.url, "SELECT count(*)::int AS n FROM migration.group_state WHERE external_id = 'hostile-long' AND histories_sig IS NOT NULL")).toEqual([{ n: 1 }])
    const before = await rowVersions(t.v3.url)
    const again = await runCli("stages/migrate.ts", [], t.env)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/changes +0 groups/)
    expect(await rowVersions(t.v3.url)).toEqual(before)
  })

  it("isolates a product the v3 database refuses: exactly it is dead-lettered and named, everything else loads, and a retry brings it once fixed", async () => {
    const t = await world.target()
    await sql(t.v3.url, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = '${refused.uuid}' THEN RAISE EXCEPTION 'product % breaks a v3 rule', NEW.id; END IF; RETURN NEW; END $$`)
    await sql(t.v3.url, "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON products FOR EACH ROW EXECUTE FUNCTION refuse()")
    const r = await runCli("stages/migrate.ts", [], t.env)
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^run finished, but the v3 database refused 1 products: npm run dlq -- list --reason load_error/)])
    expect(r.stdout).toMatch(/rejected \d+ \(.*load_error 1/)
    const provider = world.expected.tables.products.find((p) => p["id"] === refused.uuid)!["provider_id"] as string
    expect(diffTables(await actualV3(t.v3.url), without(world.expected.tables, refused.uuid, provider))).toEqual([])
    const keys = streamKeys(t.prefix)
    const letters = []
    for await (const l of readDeadLetters(world.redis, keys)) if (l.reason === "load_error" || l.reason === "product_not_loaded" || l.reason === "max_deliveries") letters.push(l)
    expect(letters.filter((l) => l.reason === "load_error")).toEqual([
      expect.objectContaining({ stage: "load-products", entity: "product", kind: "rows", count: 1, error: `product ${refused.uuid} breaks a v3 rule` }),
    ])
    // Its histories and multimedia follow it; no other entry failed.
    expect(letters.filter((l) => l.reason === "product_not_loaded").map((l) => l.stage).sort()).toEqual(["load-histories", "load-multimedia"])
    expect(letters.filter((l) => l.reason === "max_deliveries")).toEqual([])
    const status = JSON.parse((await runCli("stages/status.ts", ["--json"], t.env)).stdout) as { deadLetters: { byReason: { stage: string; reason: string; rows: number }[] } }
    expect(status.deadLetters.byReason).toContainEqual({ stage: "load-products", entity: "product", reason: "load_error", rows: 1 })
    const verified = await runCli("stages/verify.ts", ["--full"], t.env)
    expect(verified.code).toBe(1)
    expect(verified.stdout).toContain(`products ${refused.uuid}: missing (refused by the v3 database: product ${refused.uuid} breaks a v3 rule)`)

    await sql(t.v3.url, "DROP TRIGGER refuse ON products")
    for (const reason of ["load_error", "product_not_loaded"]) {
      const retried = await runCli("stages/dlq.ts", ["retry", "--reason", reason, "--json"], t.env)
      expect(retried.code, retried.stderr).toBe(0)
    }
    const fixed = await runCli("stages/migrate.ts", [], t.env)
    expect(fixed.code, fixed.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
    expect(await sql(t.v3.url, "SELECT product_id, table_name, error, run_id FROM migration.refused")).toEqual([])
  })
})
