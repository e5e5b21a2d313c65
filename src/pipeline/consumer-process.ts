import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type pg from "pg"
import type { SettingName, Settings } from "../config/settings"
import type { Logger } from "../log/logger"
import { backoffs } from "../runtime/retry"
import { runProcess } from "../runtime/stage"
import { RedisClient } from "../streams/client"
import { type MessageHandler, runConsumer } from "../streams/consumer"
import { streamKeys, type StreamKeys } from "../streams/keys"
import { StageGuards } from "./guards"
import { type ConsumerStage, inputOf, stageSpec } from "./stages"

/** Settings every consumer stage reads. */
export const consumerSettings = [
  "redisUrl", "workerId", "maxRetries", "transientRetries", "retryDelay", "claimIdleMs", "streamPrefix",
] as const
type ConsumerSetting = (typeof consumerSettings)[number]

export interface ConsumerProcess<K extends SettingName, M, R, E> {
  stage: ConsumerStage
  /** Settings of this stage besides the consumer's own. */
  settings: readonly K[]
  /** Resources its handler uses besides Redis (the v3 database), each released on the way out. */
  resources: (s: Settings<K | ConsumerSetting>, log: Logger) => Layer.Layer<R, E>
  /** The stage's handler, and the v3 database it writes to (its runs are checked against it). */
  handler: (keys: StreamKeys, s: Settings<K | ConsumerSetting>) => Effect.Effect<{ handler: MessageHandler<M>; v3?: pg.Pool }, E, R | RedisClient>
}

/**
 * The process of a consumer stage, from its registry entry (src/pipeline/stages.ts): --help,
 * settings, a Redis connection that waits through restarts plus the stage's resources, and the
 * consumer loop until a stop signal.
 */
export function runConsumerProcess<K extends SettingName, M, R, E>(p: ConsumerProcess<K, M, R, E>): void {
  const spec = stageSpec(p.stage)
  runProcess({
    name: p.stage,
    usage: `Usage: bun stages/${p.stage}.ts

A member of the "${p.stage}" consumer group on the ${inputOf(p.stage)} stream: ${spec.does}.
Each entry is acknowledged only after its work is committed (at-least-once; every write is an
idempotent upsert). Start more copies to work in parallel (each with its own WORKER_ID).`,
    settings: [...consumerSettings, ...p.settings],
    program: (s, log) => {
      const settings = s as Settings<K | ConsumerSetting>
      const keys = streamKeys(settings.streamPrefix)
      const stageLog = log.child({ stage: p.stage })
      const program = Effect.gen(function* () {
        const { handler, v3 } = yield* p.handler(keys, settings)
        const { client } = yield* RedisClient
        const guards = new StageGuards({
          client, keys, log: stageLog, stage: p.stage, consumerName: settings.workerId, prefix: settings.streamPrefix,
          supervisorToken: process.env["MIGRATOR_SUPERVISOR"], v3,
        })
        yield* Effect.acquireRelease(
          Effect.tryPromise({ try: () => guards.start(), catch: (e) => e }),
          () => Effect.promise(() => guards.stop()),
        )
        yield* runConsumer(
          {
            keys,
            stage: p.stage,
            consumer: settings.workerId,
            readCount: spec.concurrency,
            blockMs: 2_000,
            claimIdleMs: settings.claimIdleMs,
            maxDeliveries: settings.maxRetries,
            transientRetries: settings.transientRetries,
            backoff: backoffs(settings.retryDelay),
            concurrency: spec.concurrency,
            log: stageLog,
            guards,
          },
          handler,
        )
      })
      const redis = RedisClient.layer(settings.redisUrl, `${p.stage}:${settings.workerId}`, stageLog)
      return program.pipe(
        Effect.scoped,
        Effect.provide(Layer.merge(redis, p.resources(settings, stageLog))),
        Effect.ensuring(Effect.sync(() => stageLog.info("stopped"))),
      )
    },
  })
}
