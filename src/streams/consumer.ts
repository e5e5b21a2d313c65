import { Effect } from "effect"
import type { Redis } from "ioredis"
import type { Logger } from "../log/logger"
import { errorMessage } from "../runtime/errors"
import { transientRetry } from "../runtime/retry"
import { RedisClient } from "./client"
import { addDeadLetter } from "./dead-letter"
import { parseEntryList, parseReadReply, type StreamEntry } from "./entries"
import { ensureGroup } from "./groups"
import type { ConsumerStage, StreamKeys } from "./keys"
import { recordProgress } from "./progress"
import { trimAcknowledged } from "./trim"

export interface ConsumerConfig {
  keys: StreamKeys
  stage: ConsumerStage
  consumer: string
  readCount: number
  blockMs: number
  claimIdleMs: number
  maxRetries: number
  retryDelaySeconds: number
  /** Entries processed at once: the bound on in-flight batches (Effect.forEach concurrency). */
  concurrency: number
  log: Logger
  /** Called when a read finds nothing new: a chance for housekeeping. */
  onIdle?: () => Promise<void>
}

export interface HandlerContext {
  deliveries: number
  log: Logger
}

/**
 * Processes one entry. It must acknowledge the entry itself, after (or atomically with) the
 * writes it makes, and resolve with the number of rows it handled; throwing leaves the entry
 * pending for redelivery.
 */
export type EntryHandler = (entry: StreamEntry, ctx: HandlerContext) => Promise<number>

const TRIM_EVERY_MS = 2_000

/**
 * A consumer-group member. On start it re-reads its own pending entries (id 0), then new ones
 * (>); it claims entries left idle by silent consumers (XAUTOCLAIM); an entry delivered more
 * than maxRetries times goes to the dead-letter stream with its last error. Each batch runs to
 * completion even when the process is asked to stop.
 */
export const runConsumer = (cfg: ConsumerConfig, handler: EntryHandler) =>
  Effect.gen(function* () {
    const { client, blocking } = yield* RedisClient
    const reader = yield* blocking("reader")
    const stream = cfg.keys.input[cfg.stage]
    const group = cfg.stage
    const log = cfg.log.child({ consumer: cfg.consumer })
    yield* Effect.promise(() => ensureGroup(client, stream, group))
    log.info({ stream, group }, "consumer started")

    const state = { readOwnPending: true, pendingDueAt: 0, lastClaimAt: Date.now(), lastTrimAt: 0 }
    const schedule = transientRetry(cfg.maxRetries, cfg.retryDelaySeconds)

    const processOne = (entry: StreamEntry, deliveries: number) =>
      Effect.gen(function* () {
        if (entry.fields === null) {
          // Deleted while pending: nothing left to process.
          yield* Effect.promise(() => client.xack(stream, group, entry.id))
          return
        }
        if (deliveries > cfg.maxRetries) {
          yield* Effect.promise(() => deadLetterEntry(client, cfg, entry, deliveries))
          log.error({ entry: entry.id, deliveries }, "entry dead-lettered after too many deliveries")
          return
        }
        const attempt = Effect.tryPromise({ try: () => handler(entry, { deliveries, log }), catch: (e) => e })
        const result = yield* attempt.pipe(Effect.retry(schedule), Effect.result)
        if (result._tag === "Success") {
          yield* Effect.promise(() => recordProgress(client, cfg.keys, entry.fields?.["run"] ?? "", cfg.stage, result.success))
          return
        }
        const message = errorMessage(result.failure)
        log.warn({ entry: entry.id, deliveries, err: result.failure }, "entry failed; left pending for redelivery")
        yield* Effect.promise(() => client.hset(cfg.keys.lastErrors, `${stream} ${entry.id}`, message))
        state.readOwnPending = true
        state.pendingDueAt = Date.now() + Math.min(cfg.retryDelaySeconds * 1000, 250 * 2 ** deliveries)
      })

    for (;;) {
      const batch = yield* Effect.promise(() => nextBatch(client, reader, cfg, state))
      if (batch === undefined) continue
      if (batch.entries.length > 0) {
        // The whole batch finishes, acks included, even when a stop signal arrives meanwhile.
        yield* Effect.uninterruptible(
          Effect.forEach(batch.entries, (e) => processOne(e, batch.deliveries.get(e.id) ?? 1), {
            concurrency: cfg.concurrency,
            discard: true,
          }),
        )
      } else if (cfg.onIdle) yield* Effect.promise(() => cfg.onIdle!())
      // Idle consumers trim too: acknowledged entries must not linger in memory.
      if (Date.now() - state.lastTrimAt > TRIM_EVERY_MS) {
        state.lastTrimAt = Date.now()
        yield* Effect.promise(() => trimAcknowledged(client, stream))
      }
    }
  })

interface Batch {
  entries: StreamEntry[]
  deliveries: Map<string, number>
}

/** Own pending entries first (when due), then idle entries of other consumers, then new ones. */
async function nextBatch(
  client: Redis,
  reader: Redis,
  cfg: ConsumerConfig,
  state: { readOwnPending: boolean; pendingDueAt: number; lastClaimAt: number },
): Promise<Batch | undefined> {
  const stream = cfg.keys.input[cfg.stage]
  const group = cfg.stage
  if (state.readOwnPending && Date.now() >= state.pendingDueAt) {
    const own = parseReadReply(
      await client.call("XREADGROUP", "GROUP", group, cfg.consumer, "COUNT", cfg.readCount, "STREAMS", stream, "0"),
    )
    if (own.length > 0) return { entries: own, deliveries: await deliveryCounts(client, stream, group, own) }
    state.readOwnPending = false
  }
  if (Date.now() - state.lastClaimAt >= cfg.claimIdleMs / 2) {
    state.lastClaimAt = Date.now()
    const reply = (await client.call(
      "XAUTOCLAIM", stream, group, cfg.consumer, cfg.claimIdleMs, "0-0", "COUNT", cfg.readCount,
    )) as [string, unknown, unknown]
    const claimed = parseEntryList(reply[1])
    if (claimed.length > 0) {
      // More may be waiting: claim again on the next turn instead of after a full interval.
      state.lastClaimAt = 0
      cfg.log.warn({ consumer: cfg.consumer, claimed: claimed.length }, "claimed entries idle on another consumer")
      return { entries: claimed, deliveries: await deliveryCounts(client, stream, group, claimed) }
    }
  }
  const fresh = parseReadReply(
    await reader.call(
      "XREADGROUP", "GROUP", group, cfg.consumer, "COUNT", cfg.readCount, "BLOCK", cfg.blockMs, "STREAMS", stream, ">",
    ),
  )
  return { entries: fresh, deliveries: new Map(fresh.map((e) => [e.id, 1])) }
}

async function deliveryCounts(client: Redis, stream: string, group: string, entries: StreamEntry[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const e of entries) {
    const rows = (await client.call("XPENDING", stream, group, e.id, e.id, 1)) as [string, string, number, number][]
    counts.set(e.id, rows[0]?.[3] ?? 1)
  }
  return counts
}

async function deadLetterEntry(client: Redis, cfg: ConsumerConfig, entry: StreamEntry, deliveries: number): Promise<void> {
  const stream = cfg.keys.input[cfg.stage]
  const errorKey = `${stream} ${entry.id}`
  const lastError = (await client.hget(cfg.keys.lastErrors, errorKey)) ?? "unknown error"
  const tx = client.multi()
  addDeadLetter(tx, cfg.keys, {
    stage: cfg.stage,
    reason: "max_deliveries",
    entity: "entry",
    run: entry.fields?.["run"] ?? "",
    kind: "entry",
    count: 1,
    payload: JSON.stringify(entry.fields),
    error: lastError,
    sourceStream: stream,
    sourceId: entry.id,
    deliveries,
  })
  tx.xack(stream, cfg.stage, entry.id)
  tx.hdel(cfg.keys.lastErrors, errorKey)
  await tx.exec()
}
