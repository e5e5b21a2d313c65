import * as Effect from "effect/Effect"
import { intOption, parseArgs } from "../src/cli/args"
import { driverLog, parseFirst } from "../src/cli/process"
import { serveMetrics } from "../src/metrics/server"
import { abortable, untilAborted } from "../src/runtime/abortable"
import { runProcess } from "../src/runtime/stage"
import { showStatus } from "../src/status/show"
import { RedisClient } from "../src/streams/client"
import { streamKeys } from "../src/streams/keys"

runProcess({
  name: "status",
  usage: `Usage: npm run status -- [--json] [--watch [seconds]] [--metrics-port PORT]

Shows where the migration stands, read from Redis only (XINFO STREAM/GROUPS/CONSUMERS,
XPENDING, the run state and counters): the current run (kind, status, elapsed), every stage's
rows done of expected with a progress bar, rate and ETA, each stream's length and entries
added, each consumer group's consumers, pending entries, lag and last delivered id, each
consumer's pending entries and idle time, extract's position per work unit, the last finished
run (counts; plan size for an incremental run) and dead letters by stage, entity and reason.
Works while the pipeline runs, after it finished, and before anything ran.

  --json             print one JSON document (shape: docs/OPERATIONS.md); with --watch, one per line
  --watch [seconds]  refresh every N seconds (default 2) until Ctrl-C
  --metrics-port P   serve the same figures in Prometheus's text format on
                     http://<host>:P/metrics until Ctrl-C (README: Metrics)

Exit status: 0 shown; 2 bad argument or setting (or the port in use); 3 Redis unreachable;
130 --watch or --metrics-port stopped with Ctrl-C.`,
  settings: ["redisUrl", "streamPrefix"],
  logTo: "stderr",
  program: (s, log, args) => {
    const keys = streamKeys(s.streamPrefix)
    const options = parseFirst(() => {
      const p = parseArgs(args, { command: "npm run status --", flags: ["--json"], values: ["--metrics-port"], optionalValues: ["--watch"] })
      return {
        json: p.flags.has("--json"),
        watchSeconds: p.values.has("--watch") ? intOption(p, "--watch", 2, 1, 3600) : null,
        metricsPort: p.values.has("--metrics-port") ? intOption(p, "--metrics-port", 0, 0, 65535) : null,
      }
    })
    return options.pipe(
      Effect.flatMap((opts) =>
        Effect.gen(function* () {
          const { client } = yield* RedisClient
          yield* abortable(async (signal) => {
            const metrics = opts.metricsPort === null ? null : await serveMetrics(client, keys, opts.metricsPort, "--metrics-port", log)
            try {
              if (metrics && opts.watchSeconds === null) await untilAborted(signal)
              else await showStatus(client, keys, opts, signal)
            } finally {
              await metrics?.close()
            }
          })
        }).pipe(Effect.provide(RedisClient.layer(s.redisUrl, `status:${s.streamPrefix}`, driverLog(log)))),
      ),
    )
  },
})
