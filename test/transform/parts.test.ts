import { afterAll, describe, expect, it } from "vitest"
import { mappingConfig } from "../../src/mapping/config"
import { encodeExtractBatch } from "../../src/messages/extract-batch"
import { encodeHistoryRows } from "../../src/messages/history-rows"
import { Effects, publishPart } from "../../src/streams/ack"
import { pairs, parseReadReply } from "../../src/streams/entries"
import { ensureAllGroups } from "../../src/streams/groups"
import { streamKeys } from "../../src/streams/keys"
import { createLogger } from "../../src/log/logger"
import { transformHandler } from "../../src/transform/handler"
import { consumeOne } from "../support/consume"
import { legacyHistory, legacyProduct } from "../support/legacy-rows"
import { deletePrefix, testPrefix, testRedis } from "../support/redis"

const client = testRedis()
const prefix = testPrefix("parts")
const keys = streamKeys(prefix)

afterAll(async () => {
  await deletePrefix(client, prefix)
  client.disconnect()
})

/** An extract entry of `n` groups, each one product whose two history rows 120 days apart fill to 121 rows. */
function batch(n: number) {
  const products = Array.from({ length: n }, (_, i) => legacyProduct({ external_id: `part-${i}` }))
  const histories = products.flatMap((p) => [legacyHistory(p, "2024-01-01"), legacyHistory(p, "2024-04-30")].map((h) => ({ ...h, xmin: 7 })))
  return encodeExtractBatch({
    run: "r-parts", test: false, unit: "s0", keys: products.map((p) => p.external_id),
    productsJson: JSON.stringify(products), historyRows: encodeHistoryRows(histories), productSigsJson: "{}",
  })
}

describe("transform's output of a large batch", () => {
  it("is published in parts, each exactly once, however often the entry is redone", async () => {
    await ensureAllGroups(client, keys)
    const id = (await client.xadd(keys.stream.extract, "*", ...Object.entries(batch(3)).flat()))!
    const [entry] = parseReadReply(await client.call("XREADGROUP", "GROUP", "transform", "t", "COUNT", 1, "STREAMS", keys.stream.extract, ">"))
    // 50 rows per histories entry: a part holds about 100 rows, so every group after the first starts a part.
    const handler = transformHandler({ keys, mapping: mappingConfig(), historyBatchRows: 50 })
    let parts = 0
    const crashing = {
      id, deliveries: 1, log: createLogger({ name: "test", level: "silent" }), effects: new Effects(),
      publishPart: async (effects: Effects) => {
        parts += 1
        if (parts === 2) throw new Error("transform died after publishing its first part")
        await publishPart(client, keys, keys.input.transform, id, parts, effects)
      },
    }
    await expect(handler.handle(handler.decode(entry!.fields!), crashing)).rejects.toThrow("died")
    expect(await client.xlen(keys.stream.products)).toBe(1)
    // Redone from the start (a redelivery): the first part is not published twice.
    expect(await consumeOne(client, keys, "transform", handler, { id, fields: entry!.fields! })).toBe(3)
    expect(await client.xlen(keys.stream.products)).toBe(3)
    expect(await client.xlen(keys.stream.multimedia)).toBe(3)
    // Each product's 121 rows, cut into entries of at most 50.
    expect(await client.xlen(keys.stream.histories)).toBe(9)
    expect(await client.hget(keys.counts("r-parts"), "products.migrated")).toBe("3")
    expect(await client.hget(keys.counts("r-parts"), "histories.filled")).toBe(String(3 * 119))
    // A copy that claimed the entry from a slow consumer, after its acknowledgement, publishes no part again.
    let late = 0
    const lateCopy = { ...crashing, effects: new Effects(), publishPart: async (e: Effects) => {
      expect(await publishPart(client, keys, keys.input.transform, id, ++late, e)).toBe(false)
    } }
    await expect(handler.handle(handler.decode(entry!.fields!), lateCopy)).resolves.toBe(3)
    expect(late).toBe(2)
    expect(await client.xlen(keys.stream.products)).toBe(3)
  })

  it("publishes products entries holding only what load-products writes, not the legacy rows of the batch", async () => {
    const ownPrefix = testPrefix("parts-payload")
    const own = streamKeys(ownPrefix)
    await ensureAllGroups(client, own)
    await client.xadd(own.stream.extract, "*", ...Object.entries(batch(2)).flat())
    const [read] = parseReadReply(await client.call("XREADGROUP", "GROUP", "transform", "t", "COUNT", 1, "STREAMS", own.stream.extract, ">"))
    const handler = transformHandler({ keys: own, mapping: mappingConfig(), historyBatchRows: 1000 })
    await consumeOne(client, own, "transform", handler, { id: read!.id, fields: read!.fields! })
    const entries = await client.xrange(own.stream.products, "-", "+")
    expect(entries).toHaveLength(1)
    const entry = pairs(entries[0]![1]) as Record<string, string>
    expect(Object.keys(entry).sort()).toEqual(["payload", "run"])
    expect(Object.keys(JSON.parse(entry["payload"]!)).sort()).toEqual(["groups", "platformCountries", "providers"])
    // The legacy history rows (242 after filling) travel on the histories stream only.
    expect(entry["payload"]!).not.toContain("2024-04-30")
    await deletePrefix(client, ownPrefix)
  })
})
