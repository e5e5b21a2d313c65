import { hostname } from "node:os"
import { join } from "node:path"
import * as Config from "effect/Config"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { projectRoot } from "../local/paths"

/**
 * Every setting the tool reads, in one table: its environment name, what it is for (shown in
 * errors and in `--help`), and how it is parsed. Names follow the predecessor's environment.
 */
export interface SettingSpec<A> {
  readonly env: string
  readonly help: string
  readonly config: Config.Config<A>
  /** Returns what was expected when a parsed value is out of range, else undefined. */
  readonly check?: (value: A) => string | undefined
  /** Set but empty is an error (rather than the default): an empty prefix is a mistake, not a choice. */
  readonly rejectEmpty?: boolean
}

const url = (env: string, schemes: readonly string[], help: string): SettingSpec<Redacted.Redacted<string>> => ({
  env,
  help,
  config: Config.Redacted(env),
  check: (value) => {
    const text = Redacted.value(value)
    if (!schemes.some((s) => text.startsWith(`${s}://`))) return `expected a ${schemes.join(" or ")}:// URL`
    // The drivers parse with the WHATWG URL parser too: what it rejects (a port that is not a
    // number, a space in the host) would otherwise surface later as a connection error.
    return URL.canParse(text) ? undefined : "expected a well-formed URL (check the host, port and any characters needing %-encoding)"
  },
})

const wholeNumber = (env: string, fallback: number, help: string, min = 1): SettingSpec<number> => ({
  env,
  help,
  config: Config.Int(env).pipe(Config.withDefault(fallback)),
  check: (n) => (n >= min ? undefined : `expected a whole number >= ${min}`),
})

export const settings = {
  oldDatabaseUrl: url("OLD_DATABASE_URL", ["postgres", "postgresql"], "legacy (v2) PostgreSQL URL, read only"),
  productsDatabaseUrl: url("PRODUCTS_DATABASE_URL", ["postgres", "postgresql"], "v3 PostgreSQL URL the loaders write to"),
  redisUrl: url("REDIS_URL", ["redis", "rediss"], "Redis URL holding the streams"),
  testMode: {
    env: "TEST_MODE",
    help: "true limits a run to the first 10 non-excluded products by uuid",
    config: Config.Boolean("TEST_MODE").pipe(Config.withDefault(false)),
  },
  workerId: {
    env: "WORKER_ID",
    help: "consumer name prefix; default host-pid",
    config: Config.String("WORKER_ID").pipe(Config.withDefault(`${hostname()}-${process.pid}`)),
  },
  maxRetries: wholeNumber("MAX_RETRIES", 3, "deliveries of a failing entry before it is dead-lettered"),
  transientRetries: wholeNumber("TRANSIENT_RETRIES", 5, "in-place retries of a transient database failure (deadlock, serialization) within one delivery", 0),
  retryDelay: {
    env: "RETRY_DELAY",
    help: "cap in seconds of the exponential backoff between retries and redeliveries",
    config: Config.Finite("RETRY_DELAY").pipe(Config.withDefault(60)),
    check: (n: number) => (n > 0 ? undefined : "expected a number of seconds > 0"),
  },
  excludedPlatforms: {
    env: "EXCLUDED_PLATFORMS",
    help: "comma-separated legacy platforms to exclude (MAPPING.md Products rule 1)",
    config: Config.String("EXCLUDED_PLATFORMS").pipe(Config.withDefault("rocketfy")),
  },
  legacyS3Bucket: {
    env: "LEGACY_S3_BUCKET",
    help: "legacy S3 bucket whose URLs are rewritten to CloudFront",
    config: Config.String("LEGACY_S3_BUCKET").pipe(Config.withDefault("dropkiller")),
  },
  streamPrefix: {
    env: "STREAM_PREFIX",
    help: "prefix of every Redis key the pipeline uses",
    config: Config.String("STREAM_PREFIX").pipe(Config.withDefault("migration")),
    rejectEmpty: true,
    // The prefix is a Redis Cluster hash tag ({prefix}): braces would end it early.
    check: (v: string) => (/^[A-Za-z0-9_.:-]+$/.test(v) ? undefined : "expected letters, digits, '_', '-', '.' or ':' (not empty)"),
  },
  extractBatchSize: wholeNumber("EXTRACT_BATCH_SIZE", 500, "legacy products per extract stream entry (a daily plan of fewer than 22 batches gets smaller ones, down to 100)"),
  extractSlices: wholeNumber("EXTRACT_SLICES", 8, "work units a run's legacy key space is split into, shared by extract copies"),
  historyBatchRows: wholeNumber("HISTORY_BATCH_ROWS", 20000, "v3 history rows per load-histories stream entry"),
  maxInFlight: wholeNumber("MAX_IN_FLIGHT", 16, "backpressure: undelivered plus pending entries allowed downstream of extract"),
  scaleUpProducts: wholeNumber(
    "SCALE_UP_PRODUCTS",
    25_000,
    "products an incremental run's plan must reach before migrate starts the stages' other default copies (below it, one copy of each)",
    0,
  ),
  claimIdleMs: wholeNumber("CLAIM_IDLE_MS", 60000, "ms an entry may stay pending on a silent consumer before another claims it"),
  logDir: {
    env: "LOG_DIR",
    help: "where migrate writes each stage's log (default .local/logs in the checkout)",
    config: Config.String("LOG_DIR").pipe(Config.withDefault(join(projectRoot, ".local", "logs"))),
  },
  logLevel: {
    env: "LOG_LEVEL",
    help: "trace, debug, info, warn, error",
    config: Config.Literals(["trace", "debug", "info", "warn", "error", "fatal", "silent"], "LOG_LEVEL").pipe(
      Config.withDefault("info" as const),
    ),
  },
  logFormat: {
    env: "LOG_FORMAT",
    help: "json, pretty, or auto (pretty on a terminal, else JSON lines)",
    config: Config.Literals(["json", "pretty", "auto"], "LOG_FORMAT").pipe(Config.withDefault("auto" as const)),
  },
  outageTimeout: wholeNumber("OUTAGE_TIMEOUT", 300, "seconds a process waits for Redis or PostgreSQL to come back before it gives up (exit 3)"),
  metricsPort: {
    env: "METRICS_PORT",
    help: "serve Prometheus metrics on http://<host>:PORT/metrics while migrate runs (unset: none)",
    config: Config.option(Config.Int("METRICS_PORT")),
    check: (port) => (Option.isSome(port) && (port.value < 0 || port.value > 65535) ? "expected a port number from 0 to 65535" : undefined),
  } satisfies SettingSpec<Option.Option<number>>,
  shutdownGraceMs: wholeNumber("SHUTDOWN_GRACE_MS", 30_000, "ms a process gets after the first SIGINT/SIGTERM to finish its batch before it is forced out"),
} as const

export type SettingName = keyof typeof settings
export type SettingValue<P extends SettingName> = (typeof settings)[P]["config"] extends Config.Config<infer A> ? A : never
export type Settings<K extends SettingName> = { readonly [P in K]: SettingValue<P> }
