import * as Effect from "effect/Effect"

/**
 * Runs a promise-returning job as an Effect whose interruption is graceful: the job's signal
 * aborts and the interruption waits until the job has returned, so resources it uses are not
 * released under it. (A plain tryPromise stops waiting at once and leaves the job running.)
 */
export function abortable<A>(job: (signal: AbortSignal) => Promise<A>): Effect.Effect<A, unknown> {
  return Effect.callback<A, unknown>((resume) => {
    const controller = new AbortController()
    const running = job(controller.signal)
    running.then(
      (a) => resume(Effect.succeed(a)),
      (e: unknown) => resume(Effect.fail(e)),
    )
    return Effect.promise(async () => {
      controller.abort()
      await running.catch(() => undefined)
    })
  })
}

/**
 * A promise-returning step at a process's edge (connecting, checking, starting a run) as an
 * Effect whose rejection is a typed failure the runner reports (a UserFacingError prints its
 * one line), never a defect.
 */
export function edge<A>(step: () => Promise<A>): Effect.Effect<A, unknown> {
  return Effect.tryPromise({ try: step, catch: (e) => e })
}

/** Resolves when `signal` aborts: a server that runs until Ctrl-C. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })))
}
