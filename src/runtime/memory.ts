/**
 * Keeps a stage's resident memory near what it holds live. Between two batches a stage holds
 * almost nothing, yet Bun's collector (JavaScriptCore) lets the heap grow far past that before it
 * collects: transform, which maps one extract entry at a time, peaked at 371 MB RSS in the 400k
 * bench (issue 11 asks ≤ 256 MB). After a batch, a process above the soft limit collects in full
 * once; below it, nothing is spent. Under Node, V8's old-space limits already bound the heap and
 * its `gc` is only there with --expose-gc.
 *
 * A full collection costs 50–500 ms, and it does not bring RSS back to the live set at once (the
 * allocator keeps freed pages a while): collecting after every batch while RSS stayed above the
 * limit was a third of transform's CPU on a 20k-product run. The next collection therefore waits
 * until RSS has grown GROWTH_BYTES past where the last one left it: half the collections, for a
 * peak about 10 MB higher (218 vs 211 MB).
 */
export const SOFT_LIMIT_BYTES = 160 * 1024 * 1024
export const GROWTH_BYTES = 48 * 1024 * 1024

type Collect = () => void

function collector(): Collect | undefined {
  const bun = (globalThis as { Bun?: { gc: (sync: boolean) => void } }).Bun
  if (bun) return () => bun.gc(true)
  const gc = (globalThis as { gc?: () => void }).gc
  return typeof gc === "function" ? gc : undefined
}

const collect = collector()
/** RSS right after the last collection (0 before the first). */
let afterLast = 0

/** Collects garbage when RSS is above `limit` and has grown GROWTH_BYTES since the last collection; returns whether it did. */
export function relieveMemory(limit = SOFT_LIMIT_BYTES): boolean {
  if (!collect || process.memoryUsage.rss() <= Math.max(limit, afterLast + GROWTH_BYTES)) return false
  collect()
  afterLast = process.memoryUsage.rss()
  return true
}
