import { randomBytes } from "node:crypto"
import { Redis } from "ioredis"
import { localUrls } from "../../src/local/paths"
import { streamKeys } from "../../src/streams/keys"

export const redisUrl = localUrls.redis

/** A key prefix of the test's own, so parallel test files never share a stream. */
export function testPrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString("hex")}`
}

export function testRedis(): Redis {
  const client = new Redis(redisUrl, { protocol: 2, lazyConnect: false })
  client.on("error", () => undefined)
  return client
}

export async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  const pattern = `${streamKeys(prefix).prefix}*`
  let cursor = "0"
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000)
    if (keys.length > 0) await client.del(...keys)
    cursor = next
  } while (cursor !== "0")
}
