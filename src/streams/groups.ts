import type { Redis } from "ioredis"
import { consumerStages } from "../pipeline/stages"
import type { StreamKeys } from "./keys"

/**
 * Creates a stage's consumer group reading from the start of its stream, so entries published
 * before the group existed are not skipped. BUSYGROUP means it exists: fine.
 */
export async function ensureGroup(client: Redis, stream: string, group: string): Promise<void> {
  try {
    await client.call("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith("BUSYGROUP"))) throw err
  }
}

export async function ensureAllGroups(client: Redis, keys: StreamKeys): Promise<void> {
  for (const stage of consumerStages) await ensureGroup(client, keys.input[stage], stage)
}
