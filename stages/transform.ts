import { Effect, Layer } from "effect"
import { mappingConfig } from "../src/mapping/config"
import { consumerSettings, consumerStage } from "../src/pipeline/consumer-stage"
import { runProcess } from "../src/runtime/stage"
import { RedisClient } from "../src/streams/client"
import { transformHandler } from "../src/transform/handler"

runProcess({
  name: "transform",
  usage: `Usage: bun stages/transform.ts

A member of the "transform" consumer group on the extract stream: applies the mapping
(src/mapping) to each batch and publishes the rows for load-products, load-histories and
load-multimedia, the rejected rows to the dead-letter stream, and the outcome counts.
Start more copies to transform in parallel.`,
  settings: [...consumerSettings, "excludedPlatforms", "legacyS3Bucket", "historyBatchRows"],
  program: (s, log) =>
    consumerStage(
      { stage: "transform", settings: s, log, readCount: 1, concurrency: 1 },
      (keys) =>
        Effect.gen(function* () {
          const { client } = yield* RedisClient
          const mapping = mappingConfig({ excludedPlatforms: s.excludedPlatforms, legacyS3Bucket: s.legacyS3Bucket })
          return transformHandler({ client, keys, mapping, historyBatchRows: s.historyBatchRows })
        }),
      Layer.empty,
    ),
})
