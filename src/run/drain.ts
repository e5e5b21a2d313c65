import type { Redis } from "ioredis"
import { type ConsumerStage, consumerStages, upstreamOf } from "../pipeline/stages"
import { compareIds, pairs } from "../streams/entries"
import type { StreamKeys } from "../streams/keys"

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
 * Reads a stage's group with XINFO STREAM and GROUPS. Whether anything is undelivered is decided
 * from ids, not from Redis's lag figure: after an AOF reload `entries-read`, and so the lag, can
 * be wrong (redis/redis#10569) and report entries on an empty stream. Nothing after the group's
 * last-delivered-id means lag 0; otherwise the lag (or, when Redis cannot tell, the stream
 * length), at least 1 and at most the stream length.
 */
export async function groupInfo(client: Redis, keys: StreamKeys, stage: ConsumerStage): Promise<GroupInfo> {
  const stream = keys.input[stage]
  const empty = { stage, stream, length: 0, entriesAdded: 0, pending: 0, lag: 0, lastDeliveredId: "0-0", consumers: 0 }
  if (!(await client.exists(stream))) return empty
  const info = pairs((await client.call("XINFO", "STREAM", stream)) as unknown[])
  const groups = ((await client.call("XINFO", "GROUPS", stream)) as unknown[][]).map(pairs)
  const g = groups.find((x) => x["name"] === stage)
  const length = Number(info["length"] ?? 0)
  const entriesAdded = Number(info["entries-added"] ?? length)
  const lastGenerated = String(info["last-generated-id"] ?? "0-0")
  if (!g) return { ...empty, length, entriesAdded, lag: length }
  const lastDeliveredId = String(g["last-delivered-id"])
  const reported = g["lag"] === null || g["lag"] === undefined ? length : Number(g["lag"])
  const lag = compareIds(lastDeliveredId, lastGenerated) >= 0 || length === 0 ? 0 : Math.max(1, Math.min(reported, length))
  return { stage, stream, length, entriesAdded, pending: Number(g["pending"] ?? 0), lag, lastDeliveredId, consumers: Number(g["consumers"] ?? 0) }
}

/**
 * A group's undelivered plus pending entries, for backpressure: cheap (XINFO GROUPS and XLEN;
 * XINFO STREAM would copy the stream's first and last entries, megabytes each, on every poll).
 * Redis's lag may be off after an AOF reload; it is capped by the stream's length, and
 * completion never relies on it (groupInfo).
 */
export async function groupBacklog(client: Redis, keys: StreamKeys, stage: ConsumerStage): Promise<number> {
  const stream = keys.input[stage]
  const [length, groups] = await Promise.all([
    client.xlen(stream),
    client.call("XINFO", "GROUPS", stream).catch(() => []) as Promise<unknown[][]>,
  ])
  const g = groups.map(pairs).find((x) => x["name"] === stage)
  if (!g) return length
  const lag = g["lag"] === null || g["lag"] === undefined ? length : Number(g["lag"])
  return Math.min(lag, length) + Number(g["pending"] ?? 0)
}

/** A stage's pending entries (XINFO GROUPS only; 0 when its stream or group does not exist). */
async function groupPending(client: Redis, keys: StreamKeys, stage: ConsumerStage): Promise<number> {
  const groups = (await client.call("XINFO", "GROUPS", keys.input[stage]).catch(() => [])) as unknown[][]
  return Number(groups.map(pairs).find((g) => g["name"] === stage)?.["pending"] ?? 0)
}

export async function allGroups(client: Redis, keys: StreamKeys): Promise<GroupInfo[]> {
  return Promise.all(consumerStages.map((s) => groupInfo(client, keys, s)))
}

/**
 * True when every stage's group has nothing undelivered and nothing pending. Pending entries
 * are looked for first, with XINFO GROUPS alone: XINFO STREAM copies the stream's first and
 * last entries, megabytes each (12 ms of the caller's CPU per call with two 2 MB entries), and
 * migrate asks every half second from extract's end to the run's end (26 such calls on the
 * 400k quiet day); while any entry is pending, no XINFO STREAM is needed.
 */
export async function pipelineDrained(client: Redis, keys: StreamKeys): Promise<boolean> {
  const pending = await Promise.all(consumerStages.map((s) => groupPending(client, keys, s)))
  if (pending.some((n) => n > 0)) return false
  const groups = await allGroups(client, keys)
  return groups.every((g) => g.lag === 0 && g.pending === 0)
}

/** True when the stages upstream of `stage` can produce nothing more for it. */
export async function upstreamDrained(client: Redis, keys: StreamKeys, stage: ConsumerStage): Promise<boolean> {
  const status = await client.hget(keys.run, "status")
  if (status !== "extracted" && status !== "done") return false
  for (const s of upstreamOf(stage)) {
    const g = await groupInfo(client, keys, s)
    if (g.lag !== 0 || g.pending !== 0) return false
  }
  return true
}
