import { Effect } from "effect"
import { V3Db } from "../db/v3/client"
import type { LoaderDeps } from "../load/handlers"
import { runProcess } from "../runtime/stage"
import { RedisClient } from "../streams/client"
import type { EntryHandler } from "../streams/consumer"
import type { ConsumerStage } from "../streams/keys"
import { consumerSettings, consumerStage } from "./consumer-stage"

export interface LoaderSpec {
  stage: Exclude<ConsumerStage, "transform">
  /** What one entry's transaction writes, for --help. */
  writes: string
  /** Entries read, and processed at once (each holds one database connection). */
  concurrency: number
  handler: (deps: LoaderDeps) => EntryHandler
}

/** The process of a load stage: a consumer-group member writing to v3, acknowledging after each commit. */
export function runLoaderStage(spec: LoaderSpec): void {
  runProcess({
    name: spec.stage,
    usage: `Usage: bun stages/${spec.stage}.ts

A member of the "${spec.stage}" consumer group: ${spec.writes}, one transaction per entry,
acknowledged only after the commit (at-least-once; every write is an idempotent upsert).
Start more copies to load in parallel.`,
    settings: [...consumerSettings, "productsDatabaseUrl"],
    program: (s, log) =>
      consumerStage(
        { stage: spec.stage, settings: s, log, readCount: spec.concurrency, concurrency: spec.concurrency },
        (keys) =>
          Effect.gen(function* () {
            const { pool } = yield* V3Db
            const { client } = yield* RedisClient
            return spec.handler({ pool, client, keys })
          }),
        V3Db.layer(s.productsDatabaseUrl, log, `${spec.stage}:${s.workerId}`, spec.concurrency + 1),
      ),
  })
}
