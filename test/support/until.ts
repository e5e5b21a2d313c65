/** Polls `check` until it holds; fails the test with `what` when it does not within `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what = "a condition", timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
