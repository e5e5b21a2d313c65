import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inTransaction } from "../../src/db/connect"
import { historiesTable, writeChildRows } from "../../src/load/child-rows"
import { childRowsHandler } from "../../src/load/handlers"
import { writeProducts } from "../../src/load/products"
import { mappingConfig } from "../../src/mapping/config"
import { mapGroup } from "../../src/mapping/group"
import type { LegacyHistory, LegacyProduct } from "../../src/mapping/types"
import { readDeadLetters } from "../../src/streams/dead-letter"
import { parseEntryList } from "../../src/streams/entries"
import { ensureAllGroups } from "../../src/streams/groups"
import { streamKeys } from "../../src/streams/keys"
import { historiesMessage } from "../../src/messages/histories"
import { decodeProducts } from "../../src/messages/products"
import { buildOutputs } from "../../src/transform/outputs"
import { consumeOne } from "../support/consume"
import { settledConnections } from "../support/leaks"
import { legacyHistory, legacyProduct } from "../support/legacy-rows"
import { dropDatabase } from "../support/pg"
import { deletePrefix, testPrefix, testRedis } from "../support/redis"
import { createV3Database } from "../support/v3"

const cfg = mappingConfig({})
const client = testRedis()
const prefix = testPrefix("child")
const keys = streamKeys(prefix)
let db: { name: string; url: string }
let pool: pg.Pool

function outputsOf(product: LegacyProduct, histories: LegacyHistory[]) {
  const group = { key: product.external_id, products: [product], histories }
  return buildOutputs([{ group, result: mapGroup(group, cfg) }], { products: {}, histories: { [product.external_id]: "sig" } }, { run: "r1", test: false }, 1000)
}

async function loadProduct(product: LegacyProduct) {
  const payload = decodeProducts(outputsOf(product, []).products)
  await inTransaction(pool, (tx) => writeProducts(tx, payload, "rT"))
}

/** Feeds one histories entry to the load-histories handler the way the consumer would. */
async function handleHistories(fields: Record<string, string>) {
  const stream = keys.input["load-histories"]
  const id = await client.xadd(stream, "*", ...Object.entries(fields).flat())
  await client.call("XREADGROUP", "GROUP", "load-histories", "t", "COUNT", 100, "STREAMS", stream, ">")
  const handler = childRowsHandler({ pool, client, keys }, "load-histories", historiesTable, historiesMessage, "histories_sig")
  return consumeOne(client, keys, "load-histories", handler, { id: id!, fields })
}

const historyRows = async (productId: string) =>
  (await pool.query("SELECT date::text, sold_units, filled, xmin::text AS v FROM histories WHERE product_id = $1 ORDER BY date", [productId])).rows

beforeAll(async () => {
  db = await createV3Database()
  pool = new pg.Pool({ connectionString: db.url, max: 3 })
  await ensureAllGroups(client, keys)
})

afterAll(async () => {
  await deletePrefix(client, prefix)
  client.disconnect()
  await pool.end()
  expect(await settledConnections([db.name])).toBe(0)
  await dropDatabase(db.name)
})

describe("load-histories", () => {
  it("replaces a product's rows with the new set and rewrites only rows that changed", async () => {
    const p = legacyProduct({ external_id: "h1" })
    await loadProduct(p)
    const day = (d: string, sold = 2) => legacyHistory(p, d, { sold_units: sold })
    await handleHistories(outputsOf(p, [day("2024-01-01"), day("2024-01-02"), day("2024-01-04")]).histories[0]!)
    const first = await historyRows(p.uuid)
    expect(first.map((r) => [r.date, r.filled])).toEqual([["2024-01-01", false], ["2024-01-02", false], ["2024-01-03", true], ["2024-01-04", false]])
    // A real row now fills the former gap; the earlier rows are identical and must not be rewritten.
    await handleHistories(outputsOf(p, [day("2024-01-01"), day("2024-01-02"), day("2024-01-03", 7), day("2024-01-04")]).histories[0]!)
    const second = await historyRows(p.uuid)
    expect(second.map((r) => [r.date, r.sold_units, r.filled])).toEqual([
      ["2024-01-01", 2, false], ["2024-01-02", 2, false], ["2024-01-03", 7, false], ["2024-01-04", 2, false],
    ])
    expect(second.slice(0, 2).map((r) => r.v)).toEqual(first.slice(0, 2).map((r) => r.v))
    const state = await pool.query("SELECT histories_sig FROM migration.group_state WHERE external_id = 'h1'")
    expect(state.rows).toEqual([{ histories_sig: "sig" }])
  })

  it("deletes a product's rows outside its new dates, and every row when it has none left", async () => {
    const p = legacyProduct({ external_id: "h-shrink" })
    await loadProduct(p)
    const day = (d: string) => legacyHistory(p, d)
    await handleHistories(outputsOf(p, [day("2024-05-01"), day("2024-05-02"), day("2024-05-03"), day("2024-05-04")]).histories[0]!)
    expect(await historyRows(p.uuid)).toHaveLength(4)
    await handleHistories(outputsOf(p, [day("2024-05-02"), day("2024-05-03")]).histories[0]!)
    expect((await historyRows(p.uuid)).map((r) => r.date)).toEqual(["2024-05-02", "2024-05-03"])
    const none = outputsOf(p, []).histories[0]
    expect(none).toBeDefined()
    await handleHistories(none!)
    expect(await historyRows(p.uuid)).toEqual([])
  })

  it("lets only one of two racing first loads of a product write; the other waits for it and writes nothing twice", async () => {
    const p = legacyProduct({ external_id: "h-race" })
    await loadProduct(p)
    const fields = outputsOf(p, [legacyHistory(p, "2024-03-01"), legacyHistory(p, "2024-03-02")]).histories[0]!
    const m = historiesMessage.decode(fields)
    const rows = { columns: historiesMessage.copyColumns, text: (ids: ReadonlySet<string>) => historiesMessage.copyText(m, ids) }
    const bounds = m.bounds
    const [a, b] = [await pool.connect(), await pool.connect()]
    await a.query("BEGIN")
    await b.query("BEGIN")
    expect(await writeChildRows(a, historiesTable, rows, bounds)).toBe(2)
    const racing = writeChildRows(b, historiesTable, rows, bounds)
    // b saw no rows yet (a has not committed) and now waits on a's uncommitted unique keys.
    const bPid = (b as unknown as { processID: number }).processID
    for (let waited = 0; ; waited += 20) {
      const { rows } = await pool.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [bPid])
      if (rows[0]?.wait_event_type === "Lock") break
      if (waited > 10_000) throw new Error("the second load never waited on the first")
      await new Promise((r) => setTimeout(r, 20))
    }
    await a.query("COMMIT")
    const before = await historyRows(p.uuid)
    // Not a refused row: b's merge waited on a's keys, then found the same rows and changed nothing.
    expect(await racing).toBe(0)
    await b.query("COMMIT")
    a.release()
    b.release()
    expect(await historyRows(p.uuid)).toEqual(before)
  })

  it("re-queues rows whose product is not in v3 yet instead of dropping them, then loads them", async () => {
    const p = legacyProduct({ external_id: "h2" })
    const fields = outputsOf(p, [legacyHistory(p, "2024-02-01")]).histories[0]!
    expect(await handleHistories(fields)).toBe(0)
    const requeued = parseEntryList(await client.xrange(keys.input["load-histories"], "-", "+")).at(-1)!
    expect(JSON.parse(requeued.fields!["only"]!)).toEqual([p.uuid])
    expect(requeued.fields!["deferrals"]).toBe("1")
    expect(await pool.query("SELECT 1 FROM migration.group_state WHERE external_id = 'h2'")).toHaveProperty("rowCount", 0)
    await loadProduct(p)
    expect(await handleHistories(requeued.fields!)).toBe(1)
    expect((await historyRows(p.uuid)).map((r) => r.date)).toEqual(["2024-02-01"])
  })

  it("waits on a first delivery for products committed moments later, and writes their rows without re-queuing them", async () => {
    // One group, two products (another country), as load-products gets them: in one entry.
    const p = legacyProduct({ external_id: "h-wait" })
    const q = legacyProduct({ external_id: "h-wait", country: p.country === "CO" ? "MX" : "CO" })
    const stream = keys.input["load-histories"]
    const before = await client.xlen(stream)
    // load-products commits both products in one transaction while the entry is being handled.
    const group = { key: "h-wait", products: [p, q], histories: [legacyHistory(p, "2024-04-01"), legacyHistory(q, "2024-04-01")] }
    const out = buildOutputs([{ group, result: mapGroup(group, cfg) }], { products: {}, histories: { "h-wait": "sig" } }, { run: "r1", test: false }, 1000)
    const late = new Promise((r) => setTimeout(r, 400)).then(() => inTransaction(pool, (tx) => writeProducts(tx, decodeProducts(out.products), "rT")))
    expect(await handleHistories(out.histories[0]!)).toBe(2)
    await late
    // The one entry added is the handled one: nothing was re-queued.
    expect(await client.xlen(stream)).toBe(before + 1)
    expect((await historyRows(p.uuid)).map((r) => r.date)).toEqual(["2024-04-01"])
    expect((await historyRows(q.uuid)).map((r) => r.date)).toEqual(["2024-04-01"])
  })

  it("dead-letters rows whose product cannot arrive any more (upstream finished and drained)", async () => {
    const p = legacyProduct({ external_id: "h3" })
    await client.hset(keys.run, { id: "r1", status: "extracted" })
    const before = await client.xlen(keys.dlq)
    await handleHistories(outputsOf(p, [legacyHistory(p, "2024-02-01")]).histories[0]!)
    expect(await client.xlen(keys.dlq)).toBe(before + 1)
    const letters = []
    for await (const l of readDeadLetters(client, keys, { reason: "product_not_loaded" })) letters.push(l)
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({ stage: "load-histories", kind: "entry", count: 1 })
    expect(JSON.parse(JSON.parse(letters[0]!.payload)["only"])).toEqual([p.uuid])
  })
})
