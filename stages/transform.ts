import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mappingConfig } from "../src/mapping/config"
import { runConsumerProcess } from "../src/pipeline/consumer-process"
import { transformHandler } from "../src/transform/handler"

runConsumerProcess({
  stage: "transform",
  settings: ["excludedPlatforms", "legacyS3Bucket", "historyBatchRows"],
  resources: () => Layer.empty,
  handler: (keys, s) =>
    Effect.succeed({
      handler: transformHandler({
        keys,
        mapping: mappingConfig({ excludedPlatforms: s.excludedPlatforms, legacyS3Bucket: s.legacyS3Bucket }),
        historyBatchRows: s.historyBatchRows,
      }),
    }),
})
