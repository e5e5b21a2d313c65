import type { Redis } from "ioredis"
import { compareIds, nextId, pairs } from "./entries"

/**
 * Drops the entries every group has acknowledged: everything below the oldest pending entry,
 * or, with nothing pending, up to the last delivered one (XTRIM MINID, Redis >= 6.2).
 */
export async function trimAcknowledged(client: Redis, stream: string): Promise<number> {
  const groups = (await client.call("XINFO", "GROUPS", stream)) as unknown[][]
  if (groups.length === 0) return 0
  let minId: string | undefined
  for (const g of groups) {
    const info = pairs(g)
    const name = String(info["name"])
    const summary = (await client.call("XPENDING", stream, name)) as [number, string | null, string | null, unknown]
    const bound = summary[0] > 0 && summary[1] ? summary[1] : nextId(String(info["last-delivered-id"]))
    if (minId === undefined || compareIds(bound, minId) < 0) minId = bound
  }
  if (minId === undefined || minId === "0-1") return 0
  return Number(await client.call("XTRIM", stream, "MINID", minId))
}
