import { Cluster, type Redis } from "ioredis"
import { backoffMs, reconnectBackoff } from "../runtime/retry"

/** True when the server a client reached runs in cluster mode (`INFO cluster`: cluster_enabled:1). */
export async function clusterEnabled(probe: Redis): Promise<boolean> {
  return /cluster_enabled:1/.test(await probe.info("cluster"))
}

export const isCluster = (client: Redis): boolean => (client as unknown) instanceof Cluster

/**
 * A Redis Cluster client seeded with the node REDIS_URL names; it discovers the others and
 * follows MOVED/ASK redirections, and a failover of a slot's primary as a reconnect. Every key
 * of a pipeline shares its `{prefix}` hash tag, so its streams, counters, transactions and
 * scripts all live in one slot on one primary. ioredis's Cluster shares the command interface
 * of a single client (both are its Commander), which is why the rest of the code can type it as
 * `Redis`; the few cluster-wide operations (SCAN, INFO of every primary) go through `primaries`.
 */
export function createCluster(url: string, name: string): Redis {
  const u = new URL(url)
  const cluster = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
    lazyConnect: true,
    enableOfflineQueue: true,
    clusterRetryStrategy: (times) => backoffMs(times, reconnectBackoff),
    // CLUSTERDOWN and TRYAGAIN during a failover or resharding: wait and send again.
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 500,
    retryDelayOnTryAgain: 300,
    maxRedirections: 64,
    redisOptions: {
      username: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
      connectionName: name,
      // RESP2, as the single client (src/streams/client.ts).
      protocol: 2,
      maxRetriesPerRequest: null,
      ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    },
  })
  cluster.on("error", () => undefined)
  return cluster as unknown as Redis
}

/** The primaries a command without a key must reach: every primary of a cluster, else the client itself. */
export function primaries(client: Redis): Redis[] {
  return isCluster(client) ? (client as unknown as Cluster).nodes("master") : [client]
}

/** Keys matching `pattern` on every primary (SCAN reaches one node only). */
export async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const found: string[] = []
  for (const node of primaries(client)) {
    let cursor = "0"
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000)
      found.push(...keys)
      cursor = next
    } while (cursor !== "0")
  }
  return found
}
