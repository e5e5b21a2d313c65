import * as Runtime from "effect/Runtime"
import { redactUrls } from "../log/logger"

/** Process exit statuses, documented in the README. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130,
} as const

/**
 * An error meant for a person: `message` is one line saying what is wrong and what to do.
 * The runner prints it without a stack trace and exits with `exitCode`.
 */
export class UserFacingError extends Error {
  override readonly [Runtime.errorExitCode]: number
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failed,
  ) {
    super(redactUrls(message))
    this[Runtime.errorExitCode] = exitCode
  }
}

export class UnreachableError extends UserFacingError {
  constructor(what: string, where: string, setting: string, override readonly cause: unknown) {
    const detail = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause)
    super(
      `cannot reach ${what} at ${where} (${setting}): ${detail}; check that it is running (local: npm run services -- start) or fix ${setting}`,
      ExitCode.unreachable,
    )
  }
}

export class UsageError extends UserFacingError {
  constructor(message: string) {
    super(message, ExitCode.usage)
  }
}

/** An error's message for a person; a wrapper without one of its own (a tagged failure) shows its cause's. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && !err.message && err.cause !== undefined) return errorMessage(err.cause)
  if (typeof err === "object" && err !== null && !(err instanceof Error) && "cause" in err) return errorMessage((err as { cause: unknown }).cause)
  return redactUrls(err instanceof Error ? err.message : String(err))
}
