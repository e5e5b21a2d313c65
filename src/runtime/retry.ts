import { Duration, Schedule } from "effect"

/**
 * Errors worth retrying in place, by kind: a transaction that lost a race, or a connection
 * that went away. Modelled on graphile-worker's RETRYABLE_ERROR_CODES; everything else is
 * a real failure and goes through redelivery (and eventually the dead-letter stream).
 * SQLSTATEs: https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
export const RETRYABLE_SQLSTATES: ReadonlyMap<string, string> = new Map([
  ["40001", "serialization_failure"],
  ["40P01", "deadlock_detected"],
  ["55P03", "lock_not_available"],
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

export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
])

/** Messages of errors that carry no code: node-postgres and ioredis losing their socket. */
const RETRYABLE_MESSAGES = [
  /Connection terminated/i,
  /connection is closed/i,
  /Client has encountered a connection error/i,
  /timeout exceeded when trying to connect/i,
  /MaxRetriesPerRequestError|Reached the max retries per request/i,
  /LOADING Redis is loading/i,
  /READONLY You can't write against a read only replica/i,
]

function codeOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined
  const own = (err as { code?: unknown }).code
  if (typeof own === "string") return own
  // drizzle wraps the driver error: the SQLSTATE sits on err.cause.code.
  return codeOf((err as { cause?: unknown }).cause)
}

export function isRetryable(err: unknown): boolean {
  const code = codeOf(err)
  if (code !== undefined && (RETRYABLE_SQLSTATES.has(code) || RETRYABLE_NETWORK_CODES.has(code))) return true
  const message = err instanceof Error ? err.message : String(err)
  return RETRYABLE_MESSAGES.some((re) => re.test(message))
}

/**
 * Capped exponential backoff with jitter: from a fraction of a second up to RETRY_DELAY
 * seconds, at most maxRetries times, and only while the error is retryable.
 */
export function transientRetry(maxRetries: number, retryDelaySeconds: number) {
  const cap = Duration.millis(Math.max(1, retryDelaySeconds * 1000))
  return Schedule.min([Schedule.exponential(Duration.millis(Math.min(100, retryDelaySeconds * 1000))), Schedule.spaced(cap)]).pipe(
    Schedule.jittered,
    Schedule.upTo({ times: maxRetries }),
    Schedule.setInputType<unknown>(),
    Schedule.while(({ input }) => isRetryable(input)),
  )
}
