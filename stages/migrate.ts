import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { LegacyDb } from "../src/db/legacy/client"
import { planOnce } from "../src/extract/planner"
import { serveMetrics } from "../src/metrics/server"
import { V3Db } from "../src/db/v3/client"
import { stageNames } from "../src/pipeline/stages"
import { beginOrResumeRun } from "../src/run/state"
import { abortable, edge } from "../src/runtime/abortable"
import { ExitCode, UsageError, UserFacingError } from "../src/runtime/errors"
import { outageWatch } from "../src/runtime/outage"
import { runProcess } from "../src/runtime/stage"
import { describeRedisUrl, RedisClient } from "../src/streams/client"
import { streamKeys } from "../src/streams/keys"
import { checkRedisSafety } from "../src/streams/safety"
import { superviseOrExit } from "../src/supervisor/lease"
import { orchestrate, runProblem, summaryText } from "../src/supervisor/orchestrator"
import { progressView } from "../src/supervisor/progress-view"
import { copyPlan } from "../src/supervisor/scale"
import { defaultWorkersText, parseWorkers } from "../src/supervisor/workers"

const known = new Set(["--full", "--workers"])

runProcess({
  name: "migrate",
  usage: `Usage: npm run migrate -- [--full] [--workers stage=N,...]

Runs a whole migration: starts ${stageNames.join(", ")} as separate
processes, shows progress, waits until extract has finished and every consumer group is
drained, stops the stages and prints a summary.
The first run is a full one; later runs are incremental (only groups whose legacy rows
changed). An interrupted run (Ctrl-C, a crash) resumes where it stopped.

  --full                 force a full run
  --workers S=N,...      copies per stage, e.g. --workers load-histories=3,transform=2
                         (default ${defaultWorkersText}); 0 leaves a stage to copies
                         started on other hosts (README: Several hosts)
                         An incremental run starts one copy of each stage not named
                         here, the rest once its plan reaches SCALE_UP_PRODUCTS products

Exit status: 0 done; 1 failed (or entries dead-lettered after repeated failures);
2 bad setting or argument; 3 a server unreachable; 130 interrupted (run again to resume).
Stage logs: LOG_DIR/<run>/<stage>-<n>.log`,
  settings: [
    "oldDatabaseUrl", "productsDatabaseUrl", "redisUrl", "streamPrefix", "testMode", "extractSlices", "extractBatchSize",
    "historyBatchRows", "maxInFlight", "scaleUpProducts", "maxRetries", "transientRetries", "retryDelay", "claimIdleMs", "excludedPlatforms", "legacyS3Bucket", "logDir", "metricsPort",
  ],
  program: (s, log, args) => {
    const keys = streamKeys(s.streamPrefix)
    // Arguments are checked before any connection, so a typo is exit 2 even with a server down.
    const unknown = args.filter((a) => a.startsWith("--") && !known.has(a.split("=")[0]!))
    if (unknown.length > 0) return Effect.fail(new UsageError(`unknown option ${unknown[0]}: see npm run migrate -- --help`))
    let workers: ReturnType<typeof parseWorkers>
    try {
      workers = parseWorkers(args)
    } catch (err) {
      return Effect.fail(err)
    }
    const program = Effect.gen(function* () {
      const { pool: legacy } = yield* LegacyDb
      const { pool: v3 } = yield* V3Db
      const { client } = yield* RedisClient
      yield* edge(() => checkRedisSafety(client, describeRedisUrl(Redacted.value(s.redisUrl)), log))
      const schema = yield* edge(() => v3.query<{ t: string | null }>("SELECT to_regclass('migration.runs')::text AS t"))
      if (!schema.rows[0]?.t) {
        return yield* Effect.fail(new UserFacingError("the v3 database has no schema yet: run `npm run db:migrate` first", ExitCode.failed))
      }
      // One migrate per pipeline: a second one says so and leaves before touching the run.
      const supervisor = yield* Effect.acquireRelease(edge(() => superviseOrExit(client, keys, s.streamPrefix)), (l) => Effect.promise(() => l.stop()))
      const { run, resumed, discarded } = yield* edge(() =>
        outageWatch().ride(() =>
          beginOrResumeRun(client, v3, keys, { full: args.includes("--full"), testMode: s.testMode, slices: s.extractSlices, onStale: "discard", log }),
        ),
      )
      if (discarded) log.warn({ discarded: discarded.id, reason: discarded.reason }, `discarding the unfinished run ${discarded.id}: ${discarded.reason}`)
      log.info({ run: run.id, kind: run.kind, testMode: run.testMode }, resumed ? "resuming the unfinished run" : "starting a new run")
      if (Option.isSome(s.metricsPort)) {
        const port = s.metricsPort.value
        yield* Effect.acquireRelease(edge(() => serveMetrics(client, keys, port, "METRICS_PORT", log)), (m) => Effect.promise(() => m.close()))
      }
      const view = progressView(client, keys, log, process.stdout.isTTY === true)
      const summary = yield* abortable((signal) => {
        // An incremental run's plan starts here, while the stages boot: extract took its lease
        // 0.3–0.7 s after this point on a 400k quiet day. Extract waits for this plan, or makes
        // it should this process fail at it (the lease is given back at once, src/extract/planner.ts).
        if (run.kind === "incremental" && !run.testMode) {
          void planOnce({ legacy, v3, redis: client, keys, run, owner: `migrate:${supervisor.id.token}`, batchSize: s.extractBatchSize, log, signal }).catch((err: unknown) =>
            log.warn({ err }, "could not plan the run here; extract plans it"),
          )
        }
        return orchestrate({ redis: client, v3, keys, run, copies: copyPlan(workers, run.kind, s.scaleUpProducts), logDir: s.logDir, log, view, signal, supervisor: { token: supervisor.id.token, lost: supervisor.lost } })
      })
      process.stdout.write(`${summaryText(summary)}\n`)
      const problem = runProblem(summary)
      if (problem) return yield* Effect.fail(new UserFacingError(problem))
    }).pipe(Effect.scoped)
    return program.pipe(
      Effect.provide(
        Layer.mergeAll(
          // The plan's queries run one after another (src/extract/plan.ts): one, and a spare.
          LegacyDb.layer(s.oldDatabaseUrl, log, "migrate", 2),
          V3Db.layer(s.productsDatabaseUrl, log, "migrate", 2),
          RedisClient.layer(s.redisUrl, "migrate", log),
        ),
      ),
    )
  },
})
