import type { Stage } from "../pipeline/stages"

/**
 * Memory settings for the Bun stages `migrate` starts: JavaScriptCore's heap sized for a small
 * machine, and Bun's allocator (mimalloc) keeping the pages it freed.
 *
 * Page faults are the cost (docs/DECISIONS.md 27): by default mimalloc purges free pages
 * (MADV_DONTNEED) soon after they empty, so a stage cycling through multi-megabyte entries keeps
 * touching fresh pages, about 12–20 µs each on the virtual machines we run on. Never purging
 * (MIMALLOC_PURGE_DELAY=-1) removes most of them, but a process then stays at its high-water
 * mark, and JavaScriptCore sets that mark by the machine's RAM: on a 24 GB host it lets a heap
 * double before a full collection up to a quarter of RAM, so extract and transform, which hold
 * a few tens of MB live, peaked at 295–333 MB at 400k products. Telling it the machine has
 * 256 MB (BUN_JSC_forceRAMSize, a JavaScriptCore option Bun reads from the environment) makes
 * it grow a heap by 1.5 × past 64 MB and 1.24 × past 128 MB instead, and collect harder near
 * 80 % of that.
 *
 * Measured at 100k products (tuned cluster, alternated): stage CPU-seconds 155–159 with the
 * heap setting alone, 121–125 with both, 174–200 with neither; at 400k with both, transform
 * 122 and extract 21 CPU-s against 188 and 85. A value the user set always wins.
 */
const MIB = 1024 * 1024
/**
 * Extract's pages go back once unused for 10 s. Never purging, its RSS was the highest its
 * in-flight batches ever reached together, a peak that rose with the run's length: 178–208 MB at
 * 400k products, 230–244 MB at 1.6M, while its JavaScript heap held 15–46 MB. Pages reused
 * within 10 s, its steady working set, still cost no fault. With this, one
 * full run each outside the bench: 400k peak 163 MB against 178, extract 13.5 CPU-seconds against
 * 18.5; 1.6M peak 183 MB, no creep over 715 s, 81 CPU-seconds (85–96 in today's benches).
 */
const EXTRACT_PURGE_DELAY_MS = "10000"
/** Transform and extract handle the largest entries: sized for 256 MB, transform peaked at 259 MB at 400k and extract at 261 MB at 1.6M. */
const smallerHeap: ReadonlySet<Stage> = new Set<Stage>(["extract", "transform"])
const ramBytes = (stage: Stage): number => (smallerHeap.has(stage) ? 192 : 256) * MIB

export function allocatorEnv(stage: Stage, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  if (env["MIMALLOC_PURGE_DELAY"] === undefined) out["MIMALLOC_PURGE_DELAY"] = stage === "extract" ? EXTRACT_PURGE_DELAY_MS : "-1"
  if (env["BUN_JSC_forceRAMSize"] === undefined) out["BUN_JSC_forceRAMSize"] = String(ramBytes(stage))
  return out
}
