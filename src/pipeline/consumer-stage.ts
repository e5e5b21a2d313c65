import { Effect, Layer, type Redacted } from "effect"
import type { Logger } from "../log/logger"
import { RedisClient } from "../streams/client"
import { type EntryHandler, runConsumer } from "../streams/consumer"
import { type ConsumerStage, streamKeys, type StreamKeys } from "../streams/keys"

export const consumerSettings = [
  "redisUrl",
  "workerId",
  "maxRetries",
  "retryDelay",
  "claimIdleMs",
  "streamPrefix",
] as const

export interface ConsumerStageOptions {
  stage: ConsumerStage
  settings: {
    redisUrl: Redacted.Redacted<string>
    workerId: string
    maxRetries: number
    retryDelay: number
    claimIdleMs: number
    streamPrefix: string
  }
  log: Logger
  readCount: number
  concurrency: number
}

/**
 * Runs a consumer-group stage until it is stopped: Redis as a consumer connection (waits
 * through reconnects) plus whatever `resources` the handler needs, each released on the way out.
 */
export function consumerStage<E, R>(
  o: ConsumerStageOptions,
  makeHandler: (keys: StreamKeys) => Effect.Effect<EntryHandler, E, R | RedisClient>,
  resources: Layer.Layer<R, E>,
) {
  const keys = streamKeys(o.settings.streamPrefix)
  const log = o.log.child({ stage: o.stage })
  const program = Effect.gen(function* () {
    const handler = yield* makeHandler(keys)
    yield* runConsumer(
      {
        keys,
        stage: o.stage,
        consumer: o.settings.workerId,
        readCount: o.readCount,
        blockMs: 2_000,
        claimIdleMs: o.settings.claimIdleMs,
        maxRetries: o.settings.maxRetries,
        retryDelaySeconds: o.settings.retryDelay,
        concurrency: o.concurrency,
        log,
      },
      handler,
    )
  })
  const redis = RedisClient.layer(o.settings.redisUrl, `${o.stage}:${o.settings.workerId}`, "consumer", log)
  return program.pipe(
    Effect.scoped,
    Effect.provide(Layer.merge(redis, resources)),
    Effect.ensuring(Effect.sync(() => log.info("stopped"))),
  )
}
