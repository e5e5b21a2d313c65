import type { Redis } from "ioredis"
import type { Logger } from "../log/logger"
import { ExitCode, UserFacingError } from "../runtime/errors"
import { primaries } from "./cluster"

/** A field of an INFO section ("maxmemory_policy:noeviction"). */
function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim()
}

/**
 * Refuses a Redis that may evict keys: the pipeline's streams, leases and run state must never
 * vanish under memory pressure (the predecessor lost its chunk locks that way). Warns when
 * nothing persists the data across a restart. Reads INFO, which managed services allow where
 * CONFIG is disabled.
 */
export async function checkRedisSafety(client: Redis, where: string, log: Logger): Promise<void> {
  // On a cluster, every primary: which one holds the pipeline's slot may change with resharding.
  for (const node of primaries(client)) await checkNode(node, where, log)
}

async function checkNode(client: Redis, where: string, log: Logger): Promise<void> {
  const memory = await client.info("memory")
  const policy = infoField(memory, "maxmemory_policy")
  if (policy !== undefined && policy !== "noeviction") {
    throw new UserFacingError(
      `Redis at ${where} may evict keys (maxmemory-policy ${policy}), which would lose the pipeline's streams and locks: ` +
        "set maxmemory-policy to noeviction (CONFIG SET maxmemory-policy noeviction, redis.conf, or your provider's parameter group)",
      ExitCode.usage,
    )
  }
  const persistence = await client.info("persistence")
  if (infoField(persistence, "aof_enabled") === "0") {
    const save = await client.call("CONFIG", "GET", "save").catch(() => null)
    const snapshots = Array.isArray(save) && typeof save[1] === "string" && save[1].trim() !== ""
    log.warn(
      { redis: where, snapshots },
      `Redis at ${where} has no append-only file${snapshots ? " (only periodic snapshots)" : " and no snapshots"}: ` +
        "a Redis restart may lose the run's progress, and the run then starts over; set appendonly yes to keep it",
    )
  }
}
