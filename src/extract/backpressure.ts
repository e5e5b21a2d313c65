import type { Redis } from "ioredis"
import type { StreamKeys } from "../streams/keys"

const POLL_MS = 200

/**
 * Backpressure: extract waits while any stream holds more than its bound of entries. Consumers
 * trim what they acknowledged, so a stream's length is what is still undelivered or pending;
 * Redis memory therefore stays bounded however large the legacy database is. Histories entries
 * are smaller and more numerous (transform splits them), so their bound is wider.
 */
export async function waitForRoom(client: Redis, keys: StreamKeys, maxInFlight: number, signal: AbortSignal): Promise<void> {
  const bounds: [string, number][] = [
    [keys.stream.extract, maxInFlight],
    [keys.stream.products, maxInFlight * 2],
    [keys.stream.histories, maxInFlight * 8],
    [keys.stream.multimedia, maxInFlight * 2],
  ]
  while (!signal.aborted) {
    const lengths = await Promise.all(bounds.map(([k]) => client.xlen(k)))
    if (lengths.every((len, i) => len <= bounds[i]![1])) return
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}
