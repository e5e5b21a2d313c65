import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import type { Redis } from "ioredis"
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest"
import { createLogger } from "../../src/log/logger"
import { RedisClient } from "../../src/streams/client"
import type { Fields } from "../../src/messages/fields"
import { backoffs } from "../../src/runtime/retry"
import { type ConsumerConfig, type HandlerContext, type MessageHandler, runConsumer } from "../../src/streams/consumer"
import { readDeadLetters } from "../../src/streams/dead-letter"
import { parseReadReply } from "../../src/streams/entries"
import { ensureGroup } from "../../src/streams/groups"
import { streamKeys, type StreamKeys } from "../../src/streams/keys"
import { trimAcknowledged } from "../../src/streams/trim"
import { openRedisClients } from "../support/leaks"
import { until } from "../support/until"
import { deletePrefix, redisUrl, testPrefix, testRedis } from "../support/redis"

const log = createLogger({ name: "test", level: "silent" })
const client = testRedis()
let prefix: string
let keys: StreamKeys
let stream: string
const stopping: (() => Promise<void>)[] = []

/** A handler of raw entry fields; the consumer acknowledges each entry after it returns. */
type Handler = (fields: Fields, ctx: HandlerContext) => Promise<number>
const raw = (handle: Handler): MessageHandler<Fields> => ({ decode: (f) => f, handle })

function startConsumer(consumer: string, handler: Handler, overrides: Partial<ConsumerConfig> = {}) {
  const cfg: ConsumerConfig = {
    keys, stage: "load-products", consumer, readCount: 10, blockMs: 100, claimIdleMs: 60_000,
    maxDeliveries: 3, transientRetries: 3, backoff: backoffs(0.05), concurrency: 1, log, ...overrides,
  }
  const program = runConsumer(cfg, raw(handler)).pipe(
    Effect.scoped,
    Effect.provide(RedisClient.layer(Redacted.make(redisUrl), `${prefix}:${consumer}`, log)),
  )
  const fiber = Effect.runFork(program)
  const stop = () => Effect.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
  stopping.push(stop)
  return stop
}

const publish = (c: Redis, fields: Record<string, string>) => c.xadd(stream, "*", ...Object.entries(fields).flat())


const acking = (seen: { id: string; deliveries: number; fields: Fields }[]): Handler =>
  async (fields, ctx) => {
    seen.push({ id: ctx.id, deliveries: ctx.deliveries, fields })
    return 1
  }

const pendingCount = async () => ((await client.call("XPENDING", stream, "load-products")) as [number])[0]

beforeEach(async () => {
  prefix = testPrefix("consumer")
  keys = streamKeys(prefix)
  stream = keys.input["load-products"]
  await ensureGroup(client, stream, "load-products")
})

afterEach(async () => {
  await Promise.all(stopping.splice(0).map((s) => s()))
  await deletePrefix(client, prefix)
})

afterAll(async () => {
  client.disconnect()
})

describe("a consumer-group member", () => {
  it("processes new entries and leaves nothing pending", async () => {
    const seen: { id: string; deliveries: number; fields: Fields }[] = []
    startConsumer("c1", acking(seen))
    for (let i = 0; i < 5; i++) await publish(client, { n: String(i), run: "r" })
    await until(() => seen.length === 5)
    expect(seen.map((s) => s.fields["n"])).toEqual(["0", "1", "2", "3", "4"])
    await until(async () => (await pendingCount()) === 0)
  })

  it("re-reads its own pending entries before new ones after a restart", async () => {
    await publish(client, { n: "delivered-before-crash", run: "r" })
    // A previous life of c1 received the entry and died before acknowledging it.
    await client.call("XREADGROUP", "GROUP", "load-products", "c1", "COUNT", 10, "STREAMS", stream, ">")
    await publish(client, { n: "new", run: "r" })
    const seen: { id: string; deliveries: number; fields: Fields }[] = []
    startConsumer("c1", acking(seen))
    await until(() => seen.length === 2)
    expect(seen[0]).toMatchObject({ fields: { n: "delivered-before-crash" }, deliveries: 2 })
    expect(seen[1]).toMatchObject({ fields: { n: "new" }, deliveries: 1 })
  })

  it("claims entries left idle on a consumer that died", async () => {
    await publish(client, { n: "stuck", run: "r" })
    await client.call("XREADGROUP", "GROUP", "load-products", "dead", "COUNT", 10, "STREAMS", stream, ">")
    const seen: { id: string; deliveries: number; fields: Fields }[] = []
    startConsumer("live", acking(seen), { claimIdleMs: 200 })
    await until(() => seen.length === 1)
    expect(seen[0]).toMatchObject({ fields: { n: "stuck" }, deliveries: 2 })
    await until(async () => (await pendingCount()) === 0)
  })

  it("dead-letters an entry delivered more than MAX_RETRIES times, with its last error, while the rest flows on", async () => {
    const seen: string[] = []
    startConsumer("c1", async (fields) => {
      if (fields["poison"]) throw new Error("row 42 violates a check")
      seen.push(fields["n"]!)
      return 1
    }, { maxDeliveries: 2 })
    await publish(client, { poison: "1", run: "r1" })
    for (let i = 0; i < 3; i++) await publish(client, { n: String(i), run: "r1" })
    await until(() => seen.length === 3)
    await until(async () => (await client.xlen(keys.dlq)) === 1)
    const letters = []
    for await (const l of readDeadLetters(client, keys)) letters.push(l)
    expect(letters).toHaveLength(1)
    expect(letters[0]).toMatchObject({ stage: "load-products", reason: "max_deliveries", kind: "entry", error: "row 42 violates a check", deliveries: 3 })
    expect(JSON.parse(letters[0]!.payload)).toEqual({ poison: "1", run: "r1" })
    await until(async () => (await pendingCount()) === 0)
    expect(await client.hget(keys.counts("r1"), "dlq.entries")).toBe("1")
  })

  it("retries a transient database error in place and then succeeds on the same delivery", async () => {
    const calls: number[] = []
    startConsumer("c1", async (_fields, ctx) => {
      calls.push(ctx.deliveries)
      if (calls.length < 3) throw Object.assign(new Error("could not serialize access"), { code: "40001" })
      return 1
    })
    await publish(client, { n: "1", run: "r" })
    await until(async () => calls.length === 3 && (await pendingCount()) === 0)
    expect(calls).toEqual([1, 1, 1])
  })

  it("does not retry a non-transient error in place: it waits for redelivery", async () => {
    const calls: number[] = []
    startConsumer("c1", async (_fields, ctx) => {
      calls.push(ctx.deliveries)
      if (ctx.deliveries === 1) throw new Error("duplicate key value violates unique constraint")
      return 1
    })
    await publish(client, { n: "1", run: "r" })
    await until(async () => calls.length === 2 && (await pendingCount()) === 0)
    expect(calls).toEqual([1, 2])
  })

  it("closes its Redis connections when stopped", async () => {
    const stop = startConsumer("closer", acking([]))
    await until(async () => (await openRedisClients(client, `${prefix}:closer`)) === 2)
    await stop()
    await until(async () => (await openRedisClients(client, `${prefix}:closer`)) === 0)
  })
})

describe("trimming", () => {
  it("drops exactly the entries the group acknowledged", async () => {
    const ids = []
    for (let i = 0; i < 5; i++) ids.push(await publish(client, { n: String(i) }))
    const read = parseReadReply(await client.call("XREADGROUP", "GROUP", "load-products", "c", "COUNT", 3, "STREAMS", stream, ">"))
    await client.xack(stream, "load-products", read[0]!.id, read[2]!.id)
    await trimAcknowledged(client, stream)
    // The second entry is still pending and the last two were never delivered: all must stay.
    const left = (await client.xrange(stream, "-", "+")).map(([id]) => id)
    expect(left).toEqual([ids[1], ids[2], ids[3], ids[4]])
  })
})
