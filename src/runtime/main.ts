import * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import { ExitCode, UserFacingError, errorMessage } from "./errors"

/** Time a stage gets after the first SIGINT/SIGTERM to finish its batch before it is forced out (SHUTDOWN_GRACE_MS). */
let GRACE_MS = 30_000

export function setShutdownGrace(ms: number): void {
  GRACE_MS = ms
}

const beforeFatalExit: (() => Promise<void>)[] = []

/** Work to do before the process gives up on a server (migrate stops its stages). */
export function onFatalExit(hook: () => Promise<void>): () => void {
  beforeFatalExit.push(hook)
  return () => {
    const i = beforeFatalExit.indexOf(hook)
    if (i >= 0) beforeFatalExit.splice(i, 1)
  }
}

/**
 * An outage outlasted OUTAGE_TIMEOUT: whatever waits on the server would wait forever, so the
 * process says so in one line and leaves with the error's status (3), after its fatal hooks.
 */
export function exitAfterOutage(err: UserFacingError): void {
  process.stderr.write(`${err.message}\n`)
  const timer = setTimeout(() => process.exit(err.exitCode), GRACE_MS)
  timer.unref?.()
  void Promise.allSettled(beforeFatalExit.map((h) => h())).then(() => process.exit(err.exitCode))
}

function report(exit: Exit.Exit<unknown, unknown>): number {
  if (Exit.isSuccess(exit)) return ExitCode.ok
  if (Cause.hasInterruptsOnly(exit.cause)) return ExitCode.interrupted
  const err = Cause.squash(exit.cause)
  if (err instanceof UserFacingError) {
    process.stderr.write(`${err.message}\n`)
    return err.exitCode
  }
  process.stderr.write(`unexpected error: ${errorMessage(err)} (run with LOG_LEVEL=debug for details)\n`)
  if (process.env["LOG_LEVEL"] === "debug" && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`)
  return ExitCode.failed
}

/**
 * Runs a process's main Effect. The first SIGINT/SIGTERM interrupts it, which lets the stage
 * finish its batch, ack and close its pools; a second signal, or the grace period running out,
 * forces the exit (the graceful/forceful pair of graphile-worker's main.ts and pg-boss's stop).
 */
export const runMain = Runtime.makeRunMain(({ fiber }) => {
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1
    if (signals === 1) {
      process.stderr.write(`received ${signal}: finishing the current batch (send it again to force)\n`)
      setTimeout(() => {
        process.stderr.write(`still stopping after ${GRACE_MS} ms: forcing exit\n`)
        process.exit(ExitCode.interrupted)
      }, GRACE_MS).unref()
      fiber.interruptUnsafe(fiber.id)
    } else {
      process.stderr.write(`received ${signal} again: forcing exit\n`)
      process.exit(ExitCode.interrupted)
    }
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  fiber.addObserver((exit) => {
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    const code = report(exit)
    // Let stdout/stderr drain before leaving.
    process.exitCode = code
    setImmediate(() => process.exit(code))
  })
})

export function runMainEffect<A, E>(program: Effect.Effect<A, E>): void {
  runMain(program, { disableErrorReporting: true })
}
