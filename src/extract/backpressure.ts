import type { Redis } from "ioredis"
import { groupInfo } from "../pipeline/drain"
import type { ConsumerStage, StreamKeys } from "../streams/keys"

const POLL_MS = 200

/** Entries a stage's group may have waiting (undelivered plus pending) before extract holds back. */
const bounds: [ConsumerStage, number][] = [
  ["transform", 1],
  ["load-products", 2],
  // Transform splits a batch's histories into several entries.
  ["load-histories", 8],
  ["load-multimedia", 2],
]

/**
 * Backpressure: extract waits while any group has more than its bound of entries not yet
 * acknowledged (lag + pending, from XINFO GROUPS). Consumers trim what every group
 * acknowledged, so this also bounds stream length and Redis memory however large the legacy
 * database is. Counting lag and pending, not XLEN, never waits on a trim that has not run yet.
 */
export async function waitForRoom(client: Redis, keys: StreamKeys, maxInFlight: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const groups = await Promise.all(bounds.map(([stage]) => groupInfo(client, keys, stage)))
    if (groups.every((g, i) => g.lag + g.pending <= maxInFlight * bounds[i]![1])) return
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}
