import type { Redis } from "ioredis"
import { nextId } from "../streams/entries"
import { type ConsumerStage, consumerStages, type StreamKeys } from "../streams/keys"
import { pairs } from "../streams/trim"

export interface GroupInfo {
  stage: ConsumerStage
  stream: string
  length: number
  entriesAdded: number
  pending: number
  /** Entries not yet delivered to the group. */
  lag: number
  lastDeliveredId: string
  consumers: number
}

/**
 * Reads a stage's group with XINFO GROUPS. Redis 7 reports lag directly; when it cannot (it
 * answers nil after some deletions), count what lies after last-delivered-id instead.
 */
export async function groupInfo(client: Redis, keys: StreamKeys, stage: ConsumerStage): Promise<GroupInfo> {
  const stream = keys.input[stage]
  const exists = await client.exists(stream)
  if (!exists) {
    return { stage, stream, length: 0, entriesAdded: 0, pending: 0, lag: 0, lastDeliveredId: "0-0", consumers: 0 }
  }
  const info = pairs((await client.call("XINFO", "STREAM", stream)) as unknown[])
  const groups = ((await client.call("XINFO", "GROUPS", stream)) as unknown[][]).map(pairs)
  const g = groups.find((x) => x["name"] === stage)
  const length = Number(info["length"] ?? 0)
  const entriesAdded = Number(info["entries-added"] ?? length)
  if (!g) return { stage, stream, length, entriesAdded, pending: 0, lag: length, lastDeliveredId: "0-0", consumers: 0 }
  const lastDeliveredId = String(g["last-delivered-id"])
  let lag = g["lag"] === null || g["lag"] === undefined ? -1 : Number(g["lag"])
  if (lag < 0) lag = ((await client.xrange(stream, nextId(lastDeliveredId), "+", "COUNT", 1000)) as unknown[]).length
  return {
    stage,
    stream,
    length,
    entriesAdded,
    pending: Number(g["pending"] ?? 0),
    lag,
    lastDeliveredId,
    consumers: Number(g["consumers"] ?? 0),
  }
}

export async function allGroups(client: Redis, keys: StreamKeys): Promise<GroupInfo[]> {
  return Promise.all(consumerStages.map((s) => groupInfo(client, keys, s)))
}

/** True when every stage's group has nothing undelivered and nothing pending. */
export async function pipelineDrained(client: Redis, keys: StreamKeys): Promise<boolean> {
  const groups = await allGroups(client, keys)
  return groups.every((g) => g.lag === 0 && g.pending === 0)
}

/** True when the stages upstream of `stage` can produce nothing more for it. */
export async function upstreamDrained(client: Redis, keys: StreamKeys, stage: ConsumerStage): Promise<boolean> {
  const status = await client.hget(keys.run, "status")
  if (status !== "extracted" && status !== "done") return false
  const upstream: ConsumerStage[] = stage === "transform" ? [] : stage === "load-products" ? ["transform"] : ["transform", "load-products"]
  for (const s of upstream) {
    const g = await groupInfo(client, keys, s)
    if (g.lag !== 0 || g.pending !== 0) return false
  }
  return true
}
