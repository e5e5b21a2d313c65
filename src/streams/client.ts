import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { type Cluster, Redis } from "ioredis"
import type { Logger } from "../log/logger"
import { ExitCode, UnreachableError, UserFacingError } from "../runtime/errors"
import { outageWatch, type Server } from "../runtime/outage"
import { backoffMs, reconnectBackoff } from "../runtime/retry"
import { clusterEnabled, createCluster } from "./cluster"

export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || "6379"}${u.pathname && u.pathname !== "/" ? u.pathname : ""}`
  } catch {
    return "an unparsable URL"
  }
}

/**
 * A Redis client that waits through a server restart: a command issued while the connection is
 * down waits in the client's queue until it is back, and one that was in flight is sent again,
 * which is why every write the pipeline makes is idempotent (lua/ack.lua, lua/unit-publish.lua).
 * The process's OutageWatch logs the outage once and ends the process past OUTAGE_TIMEOUT.
 */
export function createRedis(url: string, name: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    // RESP2: the reply shapes the Redis stream docs describe (RESP3 turns XREADGROUP's reply into a map).
    protocol: 2,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => backoffMs(times, reconnectBackoff),
  })
  // Without a listener ioredis reports every reconnect attempt as an unhandled error.
  client.on("error", () => undefined)
  return client
}

/** From the first successful connection on, reconnects are outages for the process's OutageWatch. */
function watchOutages(client: Redis, url: string): void {
  const watch = outageWatch()
  const server: Server = { what: "Redis", where: describeRedisUrl(url), setting: "REDIS_URL", probe: () => client.ping() }
  let lastError: unknown = new Error("connection closed")
  client.on("error", (err: unknown) => (lastError = err))
  client.on("reconnecting", () => watch.markDown(server, lastError))
  client.on("ready", () => watch.markUp(server))
}

function authFailure(err: unknown): boolean {
  return err instanceof Error && /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(err.message)
}

/**
 * Connects and proves the server answers, or fails with one line: exit 3 when it cannot be
 * reached, 2 when it refuses the credentials or the database index of REDIS_URL.
 */
export function connectRedis(url: string, name: string): Promise<Redis> {
  return outageWatch().connect({ what: "Redis", where: describeRedisUrl(url), setting: "REDIS_URL" }, () => tryRedis(url, name))
}

async function tryRedis(url: string, name: string): Promise<Redis> {
  const client = createRedis(url, name)
  const where = describeRedisUrl(url)
  // connect() rejects with a bare "Connection is closed"; the socket error says why (ECONNREFUSED…).
  let socketError: unknown
  const onError = (err: unknown) => (socketError ??= err)
  client.on("error", onError)
  try {
    await client.connect()
    await client.ping()
    const db = Number(new URL(url).pathname.slice(1) || 0)
    if (await clusterEnabled(client).catch(() => false)) {
      client.disconnect()
      if (db !== 0) throw new UserFacingError(`Redis at ${where} is a Redis Cluster node, and a cluster has only database 0: use /0 in REDIS_URL`, ExitCode.usage)
      return await tryCluster(url, name)
    }
    if (db !== 0) await client.select(db)
    watchOutages(client, url)
    return client
  } catch (err) {
    if (err instanceof UserFacingError) throw err
    client.disconnect()
    const cause = socketError ?? err
    if (authFailure(cause)) {
      throw new UserFacingError(`Redis at ${where} refused the credentials in REDIS_URL: fix the user or password in REDIS_URL`, ExitCode.usage)
    }
    if (cause instanceof Error && /DB index is out of range|invalid DB index/i.test(cause.message)) {
      throw new UserFacingError(`Redis at ${where} has no database ${new URL(url).pathname.slice(1)} (REDIS_URL): use a database index the server has, e.g. /0`, ExitCode.usage)
    }
    throw new UnreachableError("Redis", where, "REDIS_URL", cause)
  } finally {
    client.off("error", onError)
  }
}

/** REDIS_URL named a node of a Redis Cluster: the cluster client, which finds the pipeline's slot. */
async function tryCluster(url: string, name: string): Promise<Redis> {
  const cluster = createCluster(url, name)
  try {
    await cluster.connect()
    await cluster.ping()
  } catch (err) {
    cluster.disconnect()
    throw err
  }
  watchOutages(cluster, url)
  watchClusterNodes(cluster)
  return cluster
}

/**
 * A cluster client stays "ready" while one primary restarts (commands for its slots wait and
 * are retried): the outage shows on the node's own connection, reported per node address.
 */
function watchClusterNodes(client: Redis): void {
  const cluster = client as unknown as Cluster
  const watch = outageWatch()
  const servers = new Map<string, Server>()
  const serverAt = (address: string): Server => {
    const known = servers.get(address)
    if (known) return known
    const server: Server = { what: "Redis", where: `${address} (a node of the cluster)`, setting: "REDIS_URL", probe: () => cluster.ping() }
    servers.set(address, server)
    return server
  }
  cluster.on("node error", (err: unknown, address: string) => watch.markDown(serverAt(address), err))
  const follow = (node: Redis) => node.on("ready", () => watch.markUp(serverAt(`${node.options.host}:${node.options.port}`)))
  cluster.on("+node", follow)
  cluster.nodes().forEach(follow)
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
    readonly blocking: (suffix: string) => Effect.Effect<Redis, UserFacingError, Scope.Scope>
  }
>()("migrator/streams/RedisClient") {
  static layer(url: Redacted.Redacted<string>, name: string, log: Logger) {
    const open = (n: string, blocking = false) =>
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => connectRedis(Redacted.value(url), n), catch: (e) => e as UserFacingError }),
        // QUIT would queue behind a blocked XREADGROUP (up to its BLOCK time); a blocking
        // connection holds nothing to flush, and what its last read delivered stays pending to us.
        (c) => (blocking ? Effect.sync(() => c.disconnect()) : Effect.promise(() => closeRedis(c))),
      )
    return Layer.effect(
      RedisClient,
      open(name).pipe(
        Effect.tap(() => Effect.sync(() => log.debug({ redis: describeRedisUrl(Redacted.value(url)) }, "connected to Redis"))),
        Effect.map((client) => RedisClient.of({ client, blocking: (suffix) => open(`${name}:${suffix}`, true) })),
      ),
    )
  }
}
