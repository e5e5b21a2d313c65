import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fetchGroups } from "../../src/extract/fetch"
import { readHorizon } from "../../src/extract/planner"
import { signatureOf } from "../../src/extract/sql"
import { createLegacyDatabase } from "../support/legacy"
import { settledConnections } from "../support/leaks"
import { dropDatabase } from "../support/pg"
import { createV3Database } from "../support/v3"

/**
 * An incremental run reads a group that only gained history rows (a tail) from its first changed
 * date (src/extract/sql.ts historyTails). A tail whose added rows repeat, value for value, every
 * row already on their dates is inert: only those dates' rows are read, for the accounting, and
 * transform writes nothing for it. These tests record a horizon and the groups' signatures as
 * the last run would, add rows after it, and check what fetchGroups reads for each group.
 */
const dbs: string[] = []
const pools: pg.Pool[] = []
let legacy: pg.Pool
let v3: pg.Pool
/** One-product groups with one history row on each of several dates, all written YYYY-MM-DD: [a, b, c, d, e]. */
let groups: string[] = []

const sigsOf = async (table: "product" | "history", column: string, keys: string[]) =>
  new Map((await legacy.query<{ k: string; s: string }>(
    `SELECT ${column} AS k, ${signatureOf("xmin")} AS s FROM ${table} WHERE ${column} = ANY($1::text[]) GROUP BY 1`, [keys])).rows.map((r) => [r.k, r.s]))

/** A copy of `key`'s row on its `n`-th date (in date order), with `set` applied, written now. */
const addCopy = (key: string, n: number, set = "") =>
  legacy.query(
    `INSERT INTO history SELECT (json_populate_record(h, json_build_object('uuid', gen_random_uuid()))).* FROM history h
     WHERE h.uuid = (SELECT uuid FROM history WHERE external_product_id = $1 ORDER BY date, uuid OFFSET $2 LIMIT 1)`,
    [key, n],
  ).then(() => (set ? legacy.query(`UPDATE history SET ${set} WHERE uuid = (SELECT uuid FROM history WHERE external_product_id = $1 ORDER BY xmin::text::bigint DESC LIMIT 1)`, [key]) : undefined))

const rowsPerKey = (copyText: string) => {
  const out = new Map<string, number>()
  for (const line of copyText.split("\n").filter(Boolean)) {
    const k = line.split("\t")[0]!
    out.set(k, (out.get(k) ?? 0) + 1)
  }
  return out
}

beforeAll(async () => {
  const l = await createLegacyDatabase(300, 19)
  const v = await createV3Database()
  dbs.push(l.name, v.name)
  legacy = new pg.Pool({ connectionString: l.url, max: 2 })
  v3 = new pg.Pool({ connectionString: v.url, max: 2 })
  pools.push(legacy, v3)
  const { rows } = await legacy.query<{ k: string }>(
    `SELECT p.external_id AS k FROM product p GROUP BY 1
     HAVING count(*) = 1 AND (SELECT count(DISTINCT date) FROM history h WHERE h.external_product_id = p.external_id) >= 4
       AND (SELECT count(*) FROM history h WHERE h.external_product_id = p.external_id) = (SELECT count(DISTINCT date) FROM history h WHERE h.external_product_id = p.external_id)
       AND NOT EXISTS (SELECT 1 FROM history h WHERE h.external_product_id = p.external_id AND h.date !~ '^20[0-9]{2}-[0-9]{2}-[0-9]{2}$')
     ORDER BY 1 LIMIT 5`,
  )
  groups = rows.map((r) => r.k)
  expect(groups).toHaveLength(5)
}, 120_000)

afterAll(async () => {
  for (const p of pools) await p.end()
  expect(await settledConnections(dbs)).toBe(0)
  for (const d of dbs) await dropDatabase(d)
})

describe("an incremental run's tails", () => {
  it("read only the dates of added rows that repeat every row already there, and each other tail from its first changed date", async () => {
    const [a, b, c, d, e] = groups as [string, string, string, string, string]
    // Before the last run: d's second date holds a stock of 0, e's second date two different rows.
    await legacy.query("UPDATE history SET stock = 0 WHERE uuid = (SELECT uuid FROM history WHERE external_product_id = $1 ORDER BY date OFFSET 1 LIMIT 1)", [d])
    await addCopy(e, 1, "sold_units = sold_units + 1")
    const { h: horizon } = await readHorizon(legacy)
    const products = await sigsOf("product", "external_id", groups)
    const histories = await sigsOf("history", "external_product_id", groups)
    const before = new Map((await legacy.query<{ k: string; n: number }>(
      "SELECT external_product_id AS k, count(*)::int AS n FROM history WHERE external_product_id = ANY($1::text[]) GROUP BY 1", [groups])).rows.map((r) => [r.k, r.n]))

    await addCopy(a, 2) // re-scrapes that found nothing new (the later date first: offsets count rows)
    await addCopy(a, 1)
    await addCopy(b, 1, "sold_units = sold_units + 1") // a re-scrape that found a change
    await addCopy(c, 1, `date = '2090-01-01'`) // a new date after every other
    await addCopy(d, 1, "stock = '-0'") // equal as a number, another row as text
    await addCopy(e, 1) // repeats one of the date's two rows

    const uuids = (await legacy.query<{ u: string }>("SELECT uuid::text AS u FROM product WHERE external_id = ANY($1::text[])", [groups])).rows.map((r) => r.u)
    const batch = {
      keys: [...groups].sort(), uuids, lastKey: [...groups].sort().at(-1)!,
      recorded: Object.fromEntries(groups.map((k) => [k, [products.get(k)!, histories.get(k)!] as [string, string]])),
    }
    const read = await fetchGroups(legacy, batch, { horizon, v3 })
    expect(JSON.parse(read.inertJson)).toEqual([a])
    expect(Object.keys(JSON.parse(read.cutsJson) as object).sort()).toEqual([...groups].sort())
    const rows = rowsPerKey(read.historyRows)
    // a: its two dates' rows, old and added; the others from their first changed date on.
    expect(rows.get(a)).toBe(4)
    expect(rows.get(b)).toBe(before.get(b)! - 1 + 1)
    expect(rows.get(c)).toBe(1)
    expect(rows.get(d)).toBe(before.get(d)! - 1 + 1)
    expect(rows.get(e)).toBe(before.get(e)! - 1 + 1)
  })
})
