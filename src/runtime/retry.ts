import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

/**
 * The one retry policy: what kind of failure an error is, and how long to wait before trying
 * again. Modelled on graphile-worker's RETRYABLE_ERROR_CODES, split by what a retry needs:
 *   outage     a server went away (restart, network): wait for it, up to OUTAGE_TIMEOUT;
 *   transient  a transaction lost a race: retry in place, up to TRANSIENT_RETRIES times;
 *   data       the database refused a row (a value, a constraint, a trigger): the loaders
 *              isolate the row (src/load/isolate.ts);
 *   fatal      anything else: the entry stays pending for redelivery, up to MAX_RETRIES.
 * SQLSTATEs: https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
export type ErrorKind = "outage" | "transient" | "data" | "fatal"

export const TRANSIENT_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ["40001", "serialization_failure"],
  ["40P01", "deadlock_detected"],
  ["55P03", "lock_not_available"],
])

export const OUTAGE_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ["57P01", "admin_shutdown"],
  ["57P02", "crash_shutdown"],
  ["57P03", "cannot_connect_now"],
  ["53300", "too_many_connections"],
  ["08000", "connection_exception"],
  ["08001", "sqlclient_unable_to_establish_sqlconnection"],
  ["08003", "connection_does_not_exist"],
  ["08004", "sqlserver_rejected_establishment_of_sqlconnection"],
  ["08006", "connection_failure"],
])

export const OUTAGE_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
])

/** SQLSTATE classes of a row the database refuses: data exception, integrity, triggers, raise. */
const DATA_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(["22", "23", "27", "44", "P0"])

/** Messages of errors that carry no code: node-postgres and ioredis losing their socket, Redis failing over. */
const OUTAGE_MESSAGES = [
  /Connection terminated/i,
  /connection is closed/i,
  /Client has encountered a connection error/i,
  /timeout exceeded when trying to connect/i,
  /MaxRetriesPerRequestError|Reached the max retries per request/i,
  /Command aborted due to connection close/i,
  /LOADING Redis is loading/i,
  /READONLY You can't write against a read only replica/i,
  /CLUSTERDOWN|TRYAGAIN|Failed to refresh slots cache/i,
]

function codeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined
  const own = (err as { code?: unknown }).code
  if (typeof own === "string") return own
  // drizzle wraps the driver error: the SQLSTATE sits on err.cause.code.
  return codeOf((err as { cause?: unknown }).cause)
}

export function classify(err: unknown): ErrorKind {
  const code = codeOf(err)
  if (code !== undefined) {
    if (TRANSIENT_SQLSTATES.has(code)) return "transient"
    if (OUTAGE_SQLSTATES.has(code) || OUTAGE_NETWORK_CODES.has(code)) return "outage"
    if (/^[0-9A-Z]{5}$/.test(code) && DATA_SQLSTATE_CLASSES.has(code.slice(0, 2))) return "data"
  }
  const message = err instanceof Error ? err.message : String(err)
  return OUTAGE_MESSAGES.some((re) => re.test(message)) ? "outage" : "fatal"
}

/** Worth trying again without redelivery: a lost race or a server that went away. */
export function isRetryable(err: unknown): boolean {
  const kind = classify(err)
  return kind === "transient" || kind === "outage"
}

export interface Backoff {
  /** The first delay. */
  baseMs: number
  /** No delay exceeds this. */
  capMs: number
}

/**
 * Capped exponential backoff with jitter: base·2^(attempt−1), capped, times a random factor in
 * [0.8, 1.2) (never above the cap). Every wait between tries in the project comes from here.
 */
export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const exponential = b.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30))
  return Math.round(Math.min(b.capMs, Math.min(b.capMs, exponential) * (0.8 + 0.4 * random())))
}

/** The waits of the consumers and the Redis client, from RETRY_DELAY (seconds, the cap). */
export function backoffs(retryDelaySeconds: number) {
  const cap = Math.max(1, retryDelaySeconds * 1000)
  return {
    /** Between in-place retries of a transient error. */
    transient: { baseMs: Math.min(100, cap), capMs: cap },
    /** Before a consumer re-reads an entry that failed (its next delivery). */
    redelivery: { baseMs: Math.min(250, cap), capMs: cap },
  } satisfies Record<string, Backoff>
}

/** Before re-reading child rows whose product is not loaded yet. */
export const deferralBackoff: Backoff = { baseMs: 100, capMs: 5_000 }
/** Between reconnection attempts to a server that went away. */
export const reconnectBackoff: Backoff = { baseMs: 50, capMs: 5_000 }

/**
 * In-place retries of transient failures: `times` retries at backoffMs delays, only while the
 * failure is transient. The schedule of `Effect.retry` in the consumers.
 */
export function transientSchedule(times: number, b: Backoff) {
  return Schedule.recurs(times).pipe(
    Schedule.modifyDelay(({ attempt }) => Effect.succeed(Duration.millis(backoffMs(attempt, b)))),
    Schedule.setInputType<unknown>(),
    Schedule.while(({ input }) => classify(input) === "transient"),
  )
}
