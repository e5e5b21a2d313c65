import { readdirSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { runCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { e2eFixture } from "../support/e2e"
import { actualV3, rowVersions, type V3Tables } from "../support/expected"
import { queryRows } from "../support/pg"

const PRODUCTS = 1000
const world = e2eFixture("daily", PRODUCTS, 5, { EXTRACT_BATCH_SIZE: "200" })
const target = () => world.target()

const query = queryRows

/** The stage log files (`<stage>-<n>.log`) of the run whose migrate printed `stdout`. */
function stageLogs(stdout: string): string[] {
  const started = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { msg?: string; logDir?: string })
    .find((l) => l.msg === "stages started")
  expect(started?.logDir, stdout).toBeDefined()
  return readdirSync(started!.logDir!).filter((f) => f.endsWith(".log")).sort()
}

/**
 * The contract's one exception: a product migrated before and rejected now keeps its last
 * version in the daily-run database, with its rows and its claim on its provider.
 */
function withoutKept(t: V3Tables, kept: Set<string>, providers: Set<string>): V3Tables {
  const keep = (r: Record<string, unknown>) => !kept.has(String(r["product_id"] ?? r["id"]))
  return {
    platform_countries: t.platform_countries,
    providers: t.providers.filter((p) => !providers.has(String(p["id"]))),
    products: t.products.filter(keep),
    histories: t.histories.filter(keep),
    multimedia: t.multimedia.filter(keep),
  }
}


describe("a daily run", () => {
  it("after a day of legacy changes leaves v3 identical to a fresh full run over the new legacy state", async () => {
    const daily = await target()
    expect((await runCli("stages/migrate.ts", [], daily.env)).code).toBe(0)

    const changes = await runCli("scripts/seed-legacy.ts", ["--apply-changes", "--fraction", "0.05"], daily.env)
    expect(changes.code, changes.stderr).toBe(0)
    // The simulated day holds every kind of change the daily run must follow.
    const counted = (re: RegExp) => Number(re.exec(changes.stdout)?.[1] ?? 0)
    const changed = [/products edited: (\d+)/, /made invalid \(sale_price bad\): (\d+)/, /new products: (\d+)/,
      /(\d+) for \d{4}-\d{2}-\d{2}/, /(\d+) re-scrapes of past days/, /(\d+) inside former gaps/].reduce((n, re) => n + counted(re), 0)
    for (const kind of [
      /price (\d+)/, /name (\d+)/, /provider renamed (\d+)/, /gallery item removed (\d+)/, /made invalid \(sale_price bad\): (\d+)/,
      /new products: (\d+)/, /(\d+) for \d{4}-\d{2}-\d{2}/, /(\d+) re-scrapes of past days/, /(\d+) inside former gaps/,
    ]) {
      expect(Number(kind.exec(changes.stdout)?.[1] ?? 0), `${kind} in ${changes.stdout}`).toBeGreaterThan(0)
    }

    // A plan of one product already counts as large here: the stages' second copies join mid-run.
    const run = await runCli("stages/migrate.ts", [], { ...daily.env, SCALE_UP_PRODUCTS: "1" })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/\(incremental\) finished/)
    expect(run.stdout).toContain("large plan: started the stages' other copies")
    expect(stageLogs(run.stdout)).toEqual(expect.arrayContaining(["transform-0.log", "load-histories-0.log", "load-histories-1.log"]))
    const planned = Number(/changes +(\d[\d,]*) groups/.exec(run.stdout)?.[1]?.replace(/,/g, "") ?? NaN)
    // Work follows the change: at most one group per changed product or added history row.
    expect(planned).toBeGreaterThanOrEqual(counted(/products edited: (\d+)/))
    expect(planned).toBeLessThanOrEqual(changed)
    // Groups that only gained history rows (the day's scrape, re-scrapes, gap rows) send their
    // rows from the first changed date on: most of their rows are not sent again.
    const tails = /([\d,]+) groups only gained history rows: read and sent from their first changed date, ([\d,]+) unchanged/.exec(run.stdout)
    expect(tails, run.stdout).not.toBeNull()
    expect(Number(tails![1]!.replace(/,/g, ""))).toBeGreaterThan(0)
    expect(Number(tails![2]!.replace(/,/g, ""))).toBeGreaterThan(0)

    const fresh = await target()
    expect((await runCli("stages/migrate.ts", [], fresh.env)).code).toBe(0)

    const dailyTables = await actualV3(daily.v3.url)
    const freshTables = await actualV3(fresh.v3.url)
    const freshIds = new Set(freshTables.products.map((p) => String(p["id"])))
    const kept = dailyTables.products.filter((p) => !freshIds.has(String(p["id"])))
    // Only products rejected now may be kept: the simulated day invalidates a few.
    expect(kept.length).toBeGreaterThan(0)
    const rejectedNow = new Set(
      (await query<{ uuid: string }>(world.legacy.url, "SELECT uuid::text FROM product WHERE sale_price = 'NaN' OR sale_price < 0 OR sale_price = 'Infinity'")).map((r) => r.uuid),
    )
    for (const p of kept) expect(rejectedNow.has(String(p["id"])), `kept product ${String(p["id"])}`).toBe(true)
    const keptIds = new Set(kept.map((p) => String(p["id"])))
    const keptProviders = new Set(kept.map((p) => String(p["provider_id"])))
    expect(diffTables(withoutKept(dailyTables, keptIds, keptProviders), withoutKept(freshTables, keptIds, keptProviders))).toEqual([])
  })

  /** A v3 brought up to date with the legacy database; the next test edits on top of it. */
  let upToDate: Awaited<ReturnType<typeof target>>

  it("with no legacy change writes nothing", async () => {
    const t = (upToDate = await target())
    expect((await runCli("stages/migrate.ts", [], t.env)).code).toBe(0)
    const before = await rowVersions(t.v3.url)
    const run = await runCli("stages/migrate.ts", [], t.env)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/changes +0 groups/)
    expect(await rowVersions(t.v3.url)).toEqual(before)
  })

  it("follows a product edited again on the last run's day, although its updated_at (a date) did not move", async () => {
    const t = upToDate
    const inV3 = new Set((await query<{ id: string }>(t.v3.url, "SELECT id FROM products")).map((r) => r.id))
    const lastDay = await query<{ uuid: string }>(
      world.legacy.url,
      "SELECT uuid::text FROM product WHERE updated_at = (SELECT max(updated_at) FROM product) ORDER BY uuid",
    )
    const edited = lastDay.map((r) => r.uuid).find((id) => inV3.has(id))
    expect(edited).toBeDefined()
    await query(world.legacy.url, `UPDATE product SET name = 'Lámpara editada dos veces' WHERE uuid = '${edited}'`)

    const run = await runCli("stages/migrate.ts", [], t.env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/changes +1 groups/)
    // A small plan is done by one copy of each stage: the second ones would cost more to start.
    expect(stageLogs(run.stdout)).not.toContain("transform-1.log")
    expect(stageLogs(run.stdout)).toContain("transform-0.log")
    const [row] = await query<{ name: string }>(t.v3.url, `SELECT name FROM products WHERE id = '${edited}'`)
    expect(row?.name).toBe("Lámpara editada dos veces")
  })

  it("follows a history row edited in place, although its group gained no row", async () => {
    const t = upToDate
    // A plain row: its product alone holds its external_id, and it alone holds its date.
    const [h] = await query<{ uuid: string; product: string; date: string }>(
      world.legacy.url,
      `SELECT h.uuid::text, p.uuid::text AS product, h.date
       FROM history h JOIN product p ON p.external_id = h.external_product_id AND p.platform = h.platform AND p.country = h.country
       WHERE h.date ~ '^\\d{4}-\\d{2}-\\d{2}$'
         AND (SELECT count(*) FROM product o WHERE o.external_id = p.external_id) = 1
         AND (SELECT count(*) FROM history o WHERE o.external_product_id = h.external_product_id AND o.date LIKE h.date || '%') = 1
       ORDER BY h.uuid LIMIT 1`,
    )
    expect(h).toBeDefined()
    const [before] = await query<{ n: number }>(t.v3.url, `SELECT count(*)::int AS n FROM histories WHERE product_id = '${h!.product}' AND date = '${h!.date}' AND NOT filled`)
    expect(before?.n).toBe(1)
    await query(world.legacy.url, `UPDATE history SET sold_units = 987654 WHERE uuid = '${h!.uuid}'`)

    const run = await runCli("stages/migrate.ts", [], t.env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/changes +1 groups .*1 with history changes/)
    // An edited row is a new row version: its group is re-migrated whole, not from a date.
    expect(run.stdout).not.toMatch(/only gained history rows/)
    const [row] = await query<{ sold_units: number }>(t.v3.url, `SELECT sold_units FROM histories WHERE product_id = '${h!.product}' AND date = '${h!.date}'`)
    expect(row?.sold_units).toBe(987654)
  })

  it("re-migrates whole a group one of whose history rows was deleted: the day it held becomes a filled gap", async () => {
    const t = upToDate
    // A plain row with kept rows of its product on both sides.
    const [h] = await query<{ uuid: string; product: string; date: string }>(
      world.legacy.url,
      `SELECT h.uuid::text, p.uuid::text AS product, h.date
       FROM history h JOIN product p ON p.external_id = h.external_product_id AND p.platform = h.platform AND p.country = h.country
       WHERE h.date ~ '^\\d{4}-\\d{2}-\\d{2}$'
         AND (SELECT count(*) FROM product o WHERE o.external_id = p.external_id) = 1
         AND (SELECT count(*) FROM history o WHERE o.external_product_id = h.external_product_id AND o.date LIKE h.date || '%') = 1
         AND EXISTS (SELECT 1 FROM history o WHERE o.external_product_id = h.external_product_id AND o.date ~ '^\\d{4}-\\d{2}-\\d{2}$' AND o.date < h.date)
         AND EXISTS (SELECT 1 FROM history o WHERE o.external_product_id = h.external_product_id AND o.date ~ '^\\d{4}-\\d{2}-\\d{2}$' AND o.date > h.date)
       ORDER BY h.uuid LIMIT 1`,
    )
    expect(h).toBeDefined()
    const [before] = await query<{ filled: boolean }>(t.v3.url, `SELECT filled FROM histories WHERE product_id = '${h!.product}' AND date = '${h!.date}'`)
    expect(before?.filled).toBe(false)
    await query(world.legacy.url, `DELETE FROM history WHERE uuid = '${h!.uuid}'`)

    const run = await runCli("stages/migrate.ts", [], t.env)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/changes +1 groups .*1 with history changes/)
    expect(run.stdout).not.toMatch(/only gained history rows/)
    const [row] = await query<{ filled: boolean; sold_units: number }>(t.v3.url, `SELECT filled, sold_units FROM histories WHERE product_id = '${h!.product}' AND date = '${h!.date}'`)
    expect(row).toEqual({ filled: true, sold_units: 0 })
  })

  it("reads and sends a group that gained a day's row from that day on only, carrying v3's totals on", async () => {
    const t = upToDate
    // A product alone in its group, in v3 with a few history rows.
    const candidates = await query<{ uuid: string; external_id: string; platform: string; country: string }>(
      world.legacy.url,
      `SELECT p.uuid::text, p.external_id, p.platform, p.country FROM product p
       WHERE (SELECT count(*) FROM product o WHERE o.external_id = p.external_id) = 1 ORDER BY p.uuid LIMIT 100`,
    )
    const inV3 = await query<{ id: string; n: number; last: string }>(
      t.v3.url, "SELECT product_id AS id, count(*)::int AS n, max(date)::text AS last FROM histories WHERE product_id = ANY($1::text[]) GROUP BY 1 HAVING count(*) > 3",
      [candidates.map((c) => c.uuid)],
    )
    const p = candidates.find((c) => inV3.some((v) => v.id === c.uuid))!
    const v = inV3.find((x) => x.id === p.uuid)!
    const day = new Date(Date.parse(`${v.last}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10)
    await query(world.legacy.url, `INSERT INTO history (uuid, external_product_id, platform, country, date, stock, sale_price, sales_amount, sold_units)
      VALUES (gen_random_uuid(), $1, $2, $3, $4, 3, 100, 250, 5)`, [p.external_id, p.platform, p.country, day])
    const [previous] = await query<{ total: number }>(t.v3.url, `SELECT total_sold_units AS total FROM histories WHERE product_id = '${p.uuid}' AND date = '${v.last}'`)

    const run = await runCli("stages/migrate.ts", [], t.env)
    expect(run.code, run.stderr).toBe(0)
    // The day and the filled day before it are new; none of the product's earlier rows is read or sent.
    expect(run.stdout).toContain("histories  read 1: kept 1, filled 1, dropped 0")
    const [media] = await query<{ n: number }>(t.v3.url, `SELECT count(*)::int AS n FROM multimedia WHERE product_id = '${p.uuid}'`)
    expect(run.stdout).toContain(`1 groups only gained history rows: read and sent from their first changed date, ${v.n} unchanged v3 history rows and ${media!.n} multimedia rows not sent again`)
    const rows = await query<{ date: string; filled: boolean; sold_units: number; total_sold_units: number }>(
      t.v3.url, `SELECT date::text, filled, sold_units, total_sold_units FROM histories WHERE product_id = '${p.uuid}' ORDER BY date DESC LIMIT 3`)
    expect(rows.map((r) => [r.date, r.filled, r.sold_units])).toEqual([[day, false, 5], [rows[1]!.date, true, 0], [v.last, false, rows[2]!.sold_units]])
    expect(rows[0]!.total_sold_units).toBe(previous!.total + 5)
  })

  it("reads a group whose added row repeats a day's row for that day only, and writes nothing to v3", async () => {
    const t = upToDate
    // A migrated product alone in its group, whose rows are one per date, each written YYYY-MM-DD:
    // a copy of its last row but one.
    const rows = await query<{ product: string; uuid: string }>(
      world.legacy.url,
      `SELECT DISTINCT ON (p.uuid) p.uuid::text AS product, h.uuid::text FROM history h JOIN product p ON p.external_id = h.external_product_id
       WHERE (SELECT count(*) FROM product o WHERE o.external_id = p.external_id) = 1
         AND (SELECT count(*) FROM history x WHERE x.external_product_id = h.external_product_id AND x.date > h.date) = 1
         AND NOT EXISTS (SELECT 1 FROM history x WHERE x.external_product_id = h.external_product_id AND (x.date !~ '^20[0-9]{2}-[0-9]{2}-[0-9]{2}$'
                         OR x.uuid <> h.uuid AND x.date = h.date))
       ORDER BY p.uuid LIMIT 200`,
    )
    const migrated = new Set((await query<{ id: string }>(t.v3.url, "SELECT id FROM products WHERE id = ANY($1::text[])", [rows.map((r) => r.product)])).map((r) => r.id))
    const row = rows.find((r) => migrated.has(r.product))
    const before = await rowVersions(t.v3.url)
    await query(world.legacy.url, `INSERT INTO history SELECT (json_populate_record(h, json_build_object('uuid', gen_random_uuid()))).* FROM history h WHERE h.uuid = $1`, [row!.uuid])

    const run = await runCli("stages/migrate.ts", [], t.env)
    expect(run.code, run.stderr).toBe(0)
    // The day's two rows are read and accounted for (one kept, one a duplicate); nothing else is read.
    expect(run.stdout).toContain("histories  read 2: kept 1, filled 0, dropped 1 (duplicate 1)")
    expect(run.stdout).toContain("1 of them only gained rows repeating the rows of their dates: those dates read (1 kept rows v3 holds already), nothing written")
    expect(await rowVersions(t.v3.url)).toEqual(before)
  })
})
