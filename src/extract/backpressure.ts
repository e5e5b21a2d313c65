import type { Redis } from "ioredis"
import { consumerStages, stageSpec } from "../pipeline/stages"
import { groupBacklog } from "../run/drain"
import { sleep } from "../runtime/sleep"
import type { StreamKeys } from "../streams/keys"

const POLL_MS = 200

/**
 * Backpressure: extract waits while any group has more than its bound of entries not yet
 * acknowledged (lag + pending, src/run/drain.ts groupBacklog; the bound is MAX_IN_FLIGHT times the stage's
 * inFlightFactor in src/pipeline/stages.ts). Consumers trim what every group acknowledged, so
 * this also bounds stream length and Redis memory however large the legacy database is.
 * Counting lag and pending, not XLEN, never waits on a trim that has not run yet.
 */
export async function waitForRoom(
  client: Redis,
  keys: StreamKeys,
  maxInFlight: number,
  signal: AbortSignal,
  between: () => Promise<"continue" | "stop">,
): Promise<"room" | "stop"> {
  while (!signal.aborted) {
    const backlogs = await Promise.all(consumerStages.map((stage) => groupBacklog(client, keys, stage)))
    if (backlogs.every((n, i) => n <= maxInFlight * stageSpec(consumerStages[i]!).inFlightFactor)) return "room"
    // Downstream may never make room again (its migrate is gone): keep asking the stage's checks.
    if ((await between()) === "stop") return "stop"
    await sleep(POLL_MS, signal)
  }
  return "stop"
}
