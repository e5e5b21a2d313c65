import type { Stage } from "../pipeline/stages"

/**
 * How Bun's allocator (mimalloc) should hand freed memory back to the kernel, per stage.
 *
 * By default mimalloc purges free pages (MADV_DONTNEED) soon after they empty, so a stage that
 * cycles through multi-megabyte entries keeps touching fresh pages, and every first touch is a
 * page fault. On the virtual machines we run on a page fault costs about 12 µs (measured: a loop
 * touching freshly mapped 64 MB regions), and at 100k products the stages took 2.9M of them,
 * about 35 of their 117 CPU-seconds. With purging off (MIMALLOC_PURGE_DELAY=-1) every stage took
 * 0.4M, and the loaders' CPU fell from 51 to 19 seconds; a process then stays at its high-water
 * mark instead of shrinking.
 *
 * The loaders stay well within the 256 MB budget that way (peaks 146–217 MB over five runs).
 * Extract (240–267 MB) and transform (266–368 MB) do not, so they keep mimalloc's default and
 * src/runtime/memory.ts's collections. A value the user set in the environment always wins.
 */
const keepsFreedPages: ReadonlySet<Stage> = new Set<Stage>(["load-products", "load-histories", "load-multimedia"])

export function allocatorEnv(stage: Stage, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env["MIMALLOC_PURGE_DELAY"] !== undefined || !keepsFreedPages.has(stage)) return {}
  return { MIMALLOC_PURGE_DELAY: "-1" }
}
