import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { LegacyDb } from "../src/db/legacy/client"
import { V3Db } from "../src/db/v3/client"
import { extractRun, LEGACY_CONNECTIONS } from "../src/extract/extractor"
import { mappingConfig } from "../src/mapping/config"
import { StageGuards } from "../src/pipeline/guards"
import { beginOrResumeRun } from "../src/run/state"
import { abortable, edge } from "../src/runtime/abortable"
import { outageWatch } from "../src/runtime/outage"
import { runProcess } from "../src/runtime/stage"
import { describeRedisUrl, RedisClient } from "../src/streams/client"
import { checkRedisSafety } from "../src/streams/safety"
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
      yield* edge(() => checkRedisSafety(client, describeRedisUrl(Redacted.value(s.redisUrl)), log))
      const { run, resumed } = yield* edge(() =>
        outageWatch().ride(() =>
          beginOrResumeRun(client, v3, keys, { full: args.includes("--full"), testMode: s.testMode, slices: s.extractSlices, onStale: "fail", log }),
        ),
      )
      log.info({ run: run.id, kind: run.kind, resumed }, resumed ? "resuming run" : "starting run")
      const guards = new StageGuards({
        client, keys, log, stage: "extract", consumerName: s.workerId, prefix: s.streamPrefix, supervisorToken: process.env["MIGRATOR_SUPERVISOR"], v3, run: run.id,
      })
      yield* abortable(async (signal) => {
        await guards.start()
        try {
          await extractRun({
            legacy, v3, redis: client, keys, run, owner: s.workerId, batchSize: s.extractBatchSize, maxInFlight: s.maxInFlight,
            mapping: mappingConfig({ excludedPlatforms: s.excludedPlatforms }), log, signal, between: () => guards.between(),
          })
        } finally {
          await guards.stop()
        }
      })
    })
    return program.pipe(
      Effect.provide(
        Layer.mergeAll(
          LegacyDb.layer(s.oldDatabaseUrl, log, `extract:${s.workerId}`, LEGACY_CONNECTIONS),
          V3Db.layer(s.productsDatabaseUrl, log, `extract:${s.workerId}`, 2),
          RedisClient.layer(s.redisUrl, `extract:${s.workerId}`, log),
        ),
      ),
    )
  },
})
