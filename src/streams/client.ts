import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import { Redis } from "ioredis"
import type { Logger } from "../log/logger"
import { UnreachableError } from "../runtime/errors"

/**
 * consumer: commands wait through a reconnect (queued until Redis is back);
 * producer: commands fail at once while disconnected, so the caller's retry policy decides.
 */
export type RedisMode = "consumer" | "producer"

export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || "6379"}${u.pathname && u.pathname !== "/" ? u.pathname : ""}`
  } catch {
    return "an unparsable URL"
  }
}

export function createRedis(url: string, name: string, mode: RedisMode, log: Logger): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    // RESP2: the reply shapes the Redis stream docs describe (RESP3 turns XREADGROUP's reply into a map).
    protocol: 2,
    maxRetriesPerRequest: mode === "consumer" ? null : 1,
    enableOfflineQueue: mode === "consumer",
    retryStrategy: (times) => Math.min(50 * 2 ** times, 5_000),
  })
  let lastLogged = 0
  // Without a listener ioredis reports every reconnect attempt as an unhandled error.
  client.on("error", (err: Error) => {
    const now = Date.now()
    if (now - lastLogged > 5_000) {
      lastLogged = now
      log.warn({ err, redis: describeRedisUrl(url) }, "redis connection error")
    }
  })
  return client
}

export async function connectRedis(url: string, name: string, mode: RedisMode, log: Logger): Promise<Redis> {
  const client = createRedis(url, name, mode, log)
  // connect() rejects with a bare "Connection is closed"; the socket error says why (ECONNREFUSED…).
  let socketError: unknown
  const onError = (err: unknown) => (socketError ??= err)
  client.on("error", onError)
  try {
    await client.connect()
    await client.ping()
    return client
  } catch (err) {
    client.disconnect()
    throw new UnreachableError("Redis", describeRedisUrl(url), "REDIS_URL", socketError ?? err)
  } finally {
    client.off("error", onError)
  }
}

/** Closes politely, and never hangs a shutdown on a dead server. */
export async function closeRedis(client: Redis): Promise<void> {
  const timer = setTimeout(() => client.disconnect(), 2_000)
  try {
    if (client.status === "ready") await client.quit()
    else client.disconnect()
  } catch {
    client.disconnect()
  } finally {
    clearTimeout(timer)
  }
}

export class RedisClient extends Context.Service<
  RedisClient,
  {
    readonly client: Redis
    /** A new connection for blocking reads, named after the main one plus `suffix`: a blocked XREADGROUP must not stall other commands. */
    readonly blocking: (suffix: string) => Effect.Effect<Redis, UnreachableError, Scope.Scope>
  }
>()("migrator/streams/RedisClient") {
  static layer(url: Redacted.Redacted<string>, name: string, mode: RedisMode, log: Logger) {
    const open = (n: string) =>
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => connectRedis(Redacted.value(url), n, mode, log), catch: (e) => e as UnreachableError }),
        (c) => Effect.promise(() => closeRedis(c)),
      )
    return Layer.effect(
      RedisClient,
      open(name).pipe(Effect.map((client) => RedisClient.of({ client, blocking: (suffix) => open(`${name}:${suffix}`) }))),
    )
  }
}
