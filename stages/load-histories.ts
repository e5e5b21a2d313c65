import { Effect } from "effect"
import { V3Db } from "../src/db/v3/client"
import { historiesTable } from "../src/load/child-rows"
import { childRowsHandler } from "../src/load/handlers"
import { consumerSettings, consumerStage } from "../src/pipeline/consumer-stage"
import { runProcess } from "../src/runtime/stage"
import { RedisClient } from "../src/streams/client"

runProcess({
  name: "load-histories",
  usage: `Usage: bun stages/load-histories.ts

A member of the "load-histories" consumer group: replaces each product's histories with the batch's rows, one transaction per entry,
acknowledged only after the commit (at-least-once; every write is an idempotent upsert).
Start more copies to load in parallel.`,
  settings: [...consumerSettings, "productsDatabaseUrl"],
  program: (s, log) =>
    consumerStage(
      { stage: "load-histories", settings: s, log, readCount: 2, concurrency: 2 },
      (keys) =>
        Effect.gen(function* () {
          const { pool } = yield* V3Db
          const { client } = yield* RedisClient
          return childRowsHandler({ pool, client, keys }, "load-histories", historiesTable, "histories_sig")
        }),
      V3Db.layer(s.productsDatabaseUrl, log, `load-histories:${s.workerId}`, 3),
    ),
})
