import { afterAll, describe, expect, it } from "vitest"
import { pipelineDrained } from "../../src/run/drain"
import { ensureAllGroups } from "../../src/streams/groups"
import { streamKeys } from "../../src/streams/keys"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"

/** migrate finishes a run once the pipeline is drained (src/run/complete.ts): never before. */
const redis = testRedis()
const prefix = testPrefix("drain")
const keys = streamKeys(prefix)

afterAll(async () => {
  await releaseAndCheckLeaks(redis, [prefix], [])
})

describe("pipelineDrained", () => {
  it("is false while an entry waits undelivered or pending in any stage, true once every one is acknowledged", async () => {
    await ensureAllGroups(redis, keys)
    expect(await pipelineDrained(redis, keys)).toBe(true)

    const stream = keys.input["load-histories"]
    const id = (await redis.xadd(stream, "*", "payload", "x".repeat(100_000)))!
    expect(await pipelineDrained(redis, keys)).toBe(false)

    await redis.xreadgroup("GROUP", "load-histories", "c1", "COUNT", 1, "STREAMS", stream, ">")
    expect(await pipelineDrained(redis, keys)).toBe(false)

    await redis.xack(stream, "load-histories", id)
    // Acknowledged but not trimmed: the entry is still in the stream, and nothing is left to do.
    expect(await redis.xlen(stream)).toBe(1)
    expect(await pipelineDrained(redis, keys)).toBe(true)

    // Another stage's entry, delivered to no one yet.
    await redis.xadd(keys.input["load-products"], "*", "payload", "y")
    expect(await pipelineDrained(redis, keys)).toBe(false)
  })
})
