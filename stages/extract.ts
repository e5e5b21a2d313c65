import { Effect, Layer } from "effect"
import { LegacyDb } from "../src/db/legacy/client"
import { V3Db } from "../src/db/v3/client"
import { extractRun } from "../src/extract/extractor"
import { mappingConfig } from "../src/mapping/config"
import { beginOrResumeRun } from "../src/run/state"
import { abortable } from "../src/runtime/abortable"
import { runProcess } from "../src/runtime/stage"
import { RedisClient } from "../src/streams/client"
import { streamKeys } from "../src/streams/keys"

runProcess({
  name: "extract",
  usage: `Usage: bun stages/extract.ts [--full]

Reads the legacy database through server-side cursors in READ ONLY transactions and publishes
batches of whole groups (products and history rows sharing an external_id) to the extract
stream. Resumes the current run where it stopped; waits while downstream streams are full.
Starts a run when none is in progress (incremental after a finished full run; --full forces
a full one). Several copies share the work.`,
  settings: [
    "oldDatabaseUrl", "productsDatabaseUrl", "redisUrl", "workerId", "streamPrefix", "testMode",
    "extractBatchSize", "extractSlices", "maxInFlight", "excludedPlatforms",
  ],
  program: (s, log, args) => {
    const keys = streamKeys(s.streamPrefix)
    const program = Effect.gen(function* () {
      const { pool: legacy } = yield* LegacyDb
      const { pool: v3 } = yield* V3Db
      const { client } = yield* RedisClient
      const { run, resumed } = yield* Effect.promise(() =>
        beginOrResumeRun(client, v3, keys, { full: args.includes("--full"), testMode: s.testMode, slices: s.extractSlices, onStale: "fail" }),
      )
      log.info({ run: run.id, kind: run.kind, resumed }, resumed ? "resuming run" : "starting run")
      yield* abortable((signal) =>
        extractRun({
          legacy, v3, redis: client, keys, run, owner: s.workerId, batchSize: s.extractBatchSize,
          maxInFlight: s.maxInFlight, mapping: mappingConfig({ excludedPlatforms: s.excludedPlatforms }), log, signal,
        }),
      )
    })
    return program.pipe(
      Effect.provide(
        Layer.mergeAll(
          LegacyDb.layer(s.oldDatabaseUrl, log, `extract:${s.workerId}`, 6),
          V3Db.layer(s.productsDatabaseUrl, log, `extract:${s.workerId}`, 2),
          RedisClient.layer(s.redisUrl, `extract:${s.workerId}`, log),
        ),
      ),
    )
  },
})
