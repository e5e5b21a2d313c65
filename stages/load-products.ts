import { Effect } from "effect"
import { V3Db } from "../src/db/v3/client"
import { productsHandler } from "../src/load/handlers"
import { consumerSettings, consumerStage } from "../src/pipeline/consumer-stage"
import { runProcess } from "../src/runtime/stage"
import { RedisClient } from "../src/streams/client"

runProcess({
  name: "load-products",
  usage: `Usage: bun stages/load-products.ts

A member of the "load-products" consumer group: upserts platform_countries, providers and products, one transaction per entry,
acknowledged only after the commit (at-least-once; every write is an idempotent upsert).
Start more copies to load in parallel.`,
  settings: [...consumerSettings, "productsDatabaseUrl"],
  program: (s, log) =>
    consumerStage(
      { stage: "load-products", settings: s, log, readCount: 1, concurrency: 1 },
      (keys) =>
        Effect.gen(function* () {
          const { pool } = yield* V3Db
          const { client } = yield* RedisClient
          return productsHandler({ pool, client, keys })
        }),
      V3Db.layer(s.productsDatabaseUrl, log, `load-products:${s.workerId}`, 2),
    ),
})
