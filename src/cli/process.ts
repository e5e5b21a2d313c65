import * as Effect from "effect/Effect"
import type { Logger } from "../log/logger"

/**
 * The logger the operator commands hand to their Redis and PostgreSQL clients. A connection
 * failure already ends the command with its one-line error, so the drivers' warnings would only
 * repeat it; with LOG_LEVEL=debug they are kept.
 */
export function driverLog(log: Logger): Logger {
  return log.isLevelEnabled("debug") ? log : log.child({}, { level: "error" })
}

/**
 * Parses a command's arguments as the first step of its program, before any connection is
 * opened: a bad argument exits 2 (UsageError) even when a server is down.
 */
export function parseFirst<A>(parse: () => A): Effect.Effect<A, unknown> {
  return Effect.try({ try: parse, catch: (e) => e })
}
