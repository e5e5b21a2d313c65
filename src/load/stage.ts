import * as Effect from "effect/Effect"
import { V3Db } from "../db/v3/client"
import { runConsumerProcess } from "../pipeline/consumer-process"
import { type ConsumerStage, stageSpec } from "../pipeline/stages"
import { RedisClient } from "../streams/client"
import type { MessageHandler } from "../streams/consumer"
import type { LoaderDeps } from "./handlers"

/** The process of a load stage: a consumer-group member writing to v3, one transaction per entry. */
export function runLoaderStage<M>(stage: ConsumerStage, handler: (deps: LoaderDeps) => MessageHandler<M>): void {
  runConsumerProcess({
    stage,
    settings: ["productsDatabaseUrl"],
    // One connection per entry in flight, plus one for lookups outside the entry's transaction.
    resources: (s, log) => V3Db.layer(s.productsDatabaseUrl, log, `${stage}:${s.workerId}`, stageSpec(stage).concurrency + 1),
    handler: (keys) =>
      Effect.gen(function* () {
        const { pool } = yield* V3Db
        const { client } = yield* RedisClient
        return { handler: handler({ pool, client, keys }), v3: pool }
      }),
  })
}
