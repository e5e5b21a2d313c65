/**
 * Keeps a stage's resident memory near what it holds live. Between two batches a consumer holds
 * almost nothing, yet Bun's collector (JavaScriptCore) lets the heap grow far past that before it
 * collects: transform, which maps one extract entry at a time, peaked at 371 MB RSS in the 400k
 * bench (issue 11 asks ≤ 256 MB). After a batch, a process above the soft limit collects in full
 * once; below it, nothing is spent. Under Node, V8's old-space limits already bound the heap and
 * its `gc` is only there with --expose-gc.
 */
export const SOFT_LIMIT_BYTES = 160 * 1024 * 1024

type Collect = () => void

function collector(): Collect | undefined {
  const bun = (globalThis as { Bun?: { gc: (sync: boolean) => void } }).Bun
  if (bun) return () => bun.gc(true)
  const gc = (globalThis as { gc?: () => void }).gc
  return typeof gc === "function" ? gc : undefined
}

const collect = collector()

/** Collects garbage when the process's RSS is above `limit`; returns whether it did. */
export function relieveMemory(limit = SOFT_LIMIT_BYTES): boolean {
  if (!collect || process.memoryUsage.rss() <= limit) return false
  collect()
  return true
}
