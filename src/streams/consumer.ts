import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { Redis } from "ioredis"
import type { Logger } from "../log/logger"
import { MalformedMessageError, type Fields } from "../messages/fields"
import type { ConsumerStage } from "../pipeline/stages"
import { errorMessage, UserFacingError } from "../runtime/errors"
import { crashPoint } from "../runtime/faults"
import { relieveMemory } from "../runtime/memory"
import { outageWatch } from "../runtime/outage"
import { type Backoff, backoffMs, classify, type ErrorKind, transientSchedule } from "../runtime/retry"
import { ack, Effects, publishPart } from "./ack"
import { RedisClient } from "./client"
import { parseEntryList, parseReadReply, type StreamEntry } from "./entries"
import { ensureGroup } from "./groups"
import type { StreamKeys } from "./keys"
import { sampleProgress } from "./progress"
import { trimAcknowledged } from "./trim"

export interface ConsumerConfig {
  keys: StreamKeys
  stage: ConsumerStage
  consumer: string
  readCount: number
  blockMs: number
  claimIdleMs: number
  /** MAX_RETRIES: deliveries of an entry before it is dead-lettered. */
  maxDeliveries: number
  /** TRANSIENT_RETRIES: in-place retries of a transient failure within one delivery. */
  transientRetries: number
  backoff: { transient: Backoff; redelivery: Backoff }
  /** Entries processed at once: the bound on in-flight batches. */
  concurrency: number
  log: Logger
  /** The stage's checks (src/pipeline/guards.ts); a UserFacingError from them ends the consumer. */
  guards?: {
    /** Between batches; "stop" ends the consumer (its supervisor is gone). */
    between: () => Promise<"continue" | "stop">
    /** Before an entry is handled: throws when its run must not be worked on here. */
    assertRunHere: (run: string) => Promise<void>
  }
}

export interface HandlerContext {
  /** The entry's id and the stream it was read from. */
  id: string
  deliveries: number
  log: Logger
  /** Collects what the entry's acknowledgement also applies (downstream entries, counters, dead letters). */
  effects: Effects
  /**
   * Publishes a part of the entry's output now, before the acknowledgement, so a large entry
   * never holds all its output at once; exactly once, however often the entry is redone.
   */
  publishPart: (effects: Effects) => Promise<void>
}

/**
 * What a consumer stage does with its messages. `handle` does the stage's work (a database
 * commit, a mapping) and returns the rows it processed; the consumer then acknowledges the
 * entry together with `ctx.effects` (lua/ack.lua). Throwing leaves the entry pending.
 */
export interface MessageHandler<M> {
  decode: (fields: Fields) => M
  handle: (message: M, ctx: HandlerContext) => Promise<number>
  /** Counters to add when the entry is dead-lettered whole (e.g. its products, as failed). */
  onDeadLetter?: (message: M) => Record<string, number>
}

/** A failed attempt at an entry, by kind (src/runtime/retry.ts). */
export class EntryFailed extends Data.TaggedError("EntryFailed")<{ readonly kind: ErrorKind; readonly cause: unknown }> {}

const TRIM_EVERY_MS = 2_000

/**
 * A consumer-group member. On start it re-reads its own pending entries (id 0), then new ones
 * (>) on its own blocking connection; it claims entries left idle by silent consumers
 * (XAUTOCLAIM). Each entry is retried in place while it fails transiently, waits while a server
 * is away, and otherwise stays pending for redelivery; an entry delivered more than
 * MAX_RETRIES times, or one that is malformed, goes to the dead-letter stream. Each batch runs
 * to completion, acknowledgements included, even when the process is asked to stop.
 */
export const runConsumer = <M>(cfg: ConsumerConfig, handler: MessageHandler<M>) =>
  Effect.gen(function* () {
    const { client, blocking } = yield* RedisClient
    const reader = yield* blocking("reader")
    const stream = cfg.keys.input[cfg.stage]
    const group = cfg.stage
    const log = cfg.log.child({ consumer: cfg.consumer })
    const redis = <A>(what: string, f: () => Promise<A>) =>
      Effect.tryPromise({ try: f, catch: (cause) => new EntryFailed({ kind: classify(cause), cause: new Error(`${what}: ${errorMessage(cause)}`) }) })
    yield* redis("creating the consumer group", () => ensureGroup(client, stream, group))
    log.info({ stream, group }, "consumer started")

    const state = { readOwnPending: true, pendingDueAt: 0, lastClaimAt: Date.now(), lastTrimAt: 0 }
    // After a reconnect, a read whose reply was lost may have delivered entries to us: look at our pending list.
    const reread = () => (state.readOwnPending = true)
    reader.on("ready", reread)
    client.on("ready", reread)
    const schedule = transientSchedule(cfg.transientRetries, cfg.backoff.transient)

    const deadLetter = (entry: StreamEntry, reason: string, error: string, deliveries: number, extra: Record<string, number>) =>
      redis("dead-lettering an entry", async () => {
        const errorKey = `${stream} ${entry.id}`
        const run = entry.fields?.["run"] ?? ""
        const effects = new Effects().deadLetter(cfg.keys, {
          stage: cfg.stage, reason, entity: "entry", run, kind: "entry", count: 1, payload: JSON.stringify(entry.fields),
          error, sourceStream: stream, sourceId: entry.id, deliveries,
        })
        // A whole entry failing is not a data outcome but a failure of the run: counted as such.
        if (run) effects.count(cfg.keys, run, { "dlq.entries": 1, ...extra })
        await ack(client, stream, group, entry.id, effects.forget(cfg.keys.lastErrors, errorKey))
        log.error({ entry: entry.id, deliveries, reason, err: error }, "entry dead-lettered")
      })

    /** A check whose UserFacingError ends the consumer (it must reach a person, not the dead-letter stream). */
    const guard = <A>(check: () => Promise<A>) =>
      Effect.tryPromise({ try: check, catch: (cause) => (cause instanceof UserFacingError ? cause : new EntryFailed({ kind: classify(cause), cause })) })

    /** One attempt; outages are waited out and the attempt made again. */
    const attempt = (message: M, ctx: () => HandlerContext): Effect.Effect<{ rows: number; ctx: HandlerContext }, EntryFailed> =>
      Effect.suspend(() => {
        const c = ctx()
        return Effect.tryPromise({
          try: async () => ({ rows: await handler.handle(message, c), ctx: c }),
          catch: (cause) => new EntryFailed({ kind: classify(cause), cause }),
        })
      }).pipe(
        Effect.retry({ schedule, while: (e) => e.kind === "transient" }),
        Effect.catchIf(
          (e) => e.kind === "outage",
          () => redis("waiting for the servers", () => outageWatch().recover()).pipe(Effect.flatMap(() => attempt(message, ctx))),
        ),
      )

    const processOne = (entry: StreamEntry, deliveries: number) =>
      Effect.gen(function* () {
        if (entry.fields === null) {
          // Deleted while pending: nothing left to process.
          yield* redis("acknowledging a deleted entry", () => ack(client, stream, group, entry.id))
          return
        }
        const fields = entry.fields
        const decoded = yield* Effect.result(
          Effect.try({ try: () => handler.decode(fields), catch: (cause) => new EntryFailed({ kind: "fatal", cause }) }),
        )
        if (decoded._tag === "Failure") {
          const cause = decoded.failure.cause
          // A malformed entry never heals by redelivery: straight to the dead-letter stream.
          if (cause instanceof MalformedMessageError) return yield* deadLetter(entry, "malformed_entry", cause.message, deliveries, {})
          return yield* Effect.fail(decoded.failure)
        }
        const message = decoded.success
        if (deliveries > cfg.maxDeliveries) {
          const lastError = (yield* redis("reading the last error", () => client.hget(cfg.keys.lastErrors, `${stream} ${entry.id}`))) ?? "unknown error"
          return yield* deadLetter(entry, "max_deliveries", lastError, deliveries, handler.onDeadLetter?.(message) ?? {})
        }
        const run = entry.fields["run"] ?? ""
        if (cfg.guards) yield* guard(() => cfg.guards!.assertRunHere(run))
        let parts = 0
        const ctx = (): HandlerContext => {
          parts = 0
          return {
            id: entry.id, deliveries, log, effects: new Effects(),
            publishPart: async (effects) => {
              parts += 1
              await publishPart(client, cfg.keys, stream, entry.id, parts, effects)
            },
          }
        }
        const result = yield* Effect.result(attempt(message, ctx))
        if (result._tag === "Success") {
          const { rows, ctx: done } = result.success
          crashPoint(cfg.stage, "after-commit")
          if (run) done.effects.add(cfg.keys.progress(run), cfg.stage, rows)
          yield* redis("acknowledging an entry", () => ack(client, stream, group, entry.id, done.effects))
          if (run) yield* redis("sampling progress", () => sampleProgress(client, cfg.keys, run, cfg.stage))
          return
        }
        const failure = result.failure
        log.warn({ entry: entry.id, deliveries, kind: failure.kind, err: failure.cause }, "entry failed; left pending for redelivery")
        yield* redis("recording an entry's error", () => client.hset(cfg.keys.lastErrors, `${stream} ${entry.id}`, errorMessage(failure.cause)))
        state.readOwnPending = true
        state.pendingDueAt = Date.now() + backoffMs(deliveries, cfg.backoff.redelivery)
      })

    for (;;) {
      if (cfg.guards && (yield* guard(() => cfg.guards!.between())) === "stop") return
      const batch = yield* Effect.result(guard(() => nextBatch(client, reader, cfg, state)))
      if (batch._tag === "Failure") {
        if (batch.failure instanceof UserFacingError) return yield* Effect.fail(batch.failure)
        // A reply lost to a reconnect: the entries it delivered wait in our pending list.
        if (batch.failure.kind !== "outage") return yield* Effect.fail(batch.failure)
        state.readOwnPending = true
        continue
      }
      const { entries, deliveries } = batch.success
      if (entries.length > 0) {
        // The whole batch finishes, acks included, even when a stop signal arrives meanwhile.
        yield* Effect.uninterruptible(
          Effect.forEach(
            entries,
            (e) =>
              processOne(e, deliveries.get(e.id) ?? 1).pipe(
                Effect.catchTag("EntryFailed", (failure) =>
                  Effect.sync(() => {
                    // Left pending (Redis went away mid-way, say): re-read it with our own pending entries.
                    log.warn({ entry: e.id, err: failure.cause }, "entry not finished; it stays pending")
                    state.readOwnPending = true
                  }),
                ),
              ),
            { concurrency: cfg.concurrency, discard: true },
          ),
        )
        yield* Effect.sync(() => relieveMemory())
      }
      // Idle consumers trim too: acknowledged entries must not linger in memory.
      if (Date.now() - state.lastTrimAt > TRIM_EVERY_MS) {
        state.lastTrimAt = Date.now()
        yield* Effect.result(redis("trimming", () => trimAcknowledged(client, stream)))
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
): Promise<Batch> {
  try {
    return await readBatch(client, reader, cfg, state)
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("NOGROUP")) {
      throw new UserFacingError(
        `the run's streams are gone from Redis (Redis restarted without persistence, or another migrate discarded the run): ${cfg.stage} stops; run npm run migrate again`,
      )
    }
    throw err
  }
}

async function readBatch(
  client: Redis,
  reader: Redis,
  cfg: ConsumerConfig,
  state: { readOwnPending: boolean; pendingDueAt: number; lastClaimAt: number },
): Promise<Batch> {
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
  // While own entries wait for their redelivery time, block no longer than that.
  const block = state.readOwnPending ? Math.max(1, Math.min(cfg.blockMs, state.pendingDueAt - Date.now())) : cfg.blockMs
  const fresh = parseReadReply(
    await reader.call("XREADGROUP", "GROUP", group, cfg.consumer, "COUNT", cfg.readCount, "BLOCK", block, "STREAMS", stream, ">"),
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
