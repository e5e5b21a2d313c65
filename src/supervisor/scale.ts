import type { RunKind } from "../run/state"
import { type Stage, stageNames } from "../pipeline/stages"
import type { Workers } from "./workers"

/*
 * An incremental run starts one copy of each stage (that `--workers` did not name) and the other
 * default copies (load-histories' second) only once its plan holds
 * SCALE_UP_PRODUCTS products. Each copy costs about 0.45 CPU-seconds to start, taken from the
 * plan and the first batches on a busy machine: on the 400k quiet day (3,380 products, 257k
 * history rows, 2 cores) one copy each took 14.1 s on average against 15.6 s with the defaults,
 * eight alternated pairs (docs/DECISIONS.md 43). A large plan still gets every default copy.
 */

export interface CopyPlan {
  /** Copies to start with the run. */
  now: Record<Stage, number>
  /** Copies to add once the plan turns out large; none for a full run. */
  later: Partial<Record<Stage, number>>
  /** Plan size, in products, from which `later` starts. */
  scaleUpProducts: number
}

/** How many copies of each stage to start now, and how many more a large incremental plan gets. */
export function copyPlan(workers: Workers, kind: RunKind, scaleUpProducts: number): CopyPlan {
  const now = { ...workers.copies }
  const later: Partial<Record<Stage, number>> = {}
  if (kind !== "incremental") return { now, later, scaleUpProducts }
  for (const stage of stageNames) {
    if (workers.given.has(stage) || now[stage] <= 1) continue
    later[stage] = now[stage] - 1
    now[stage] = 1
  }
  return { now, later, scaleUpProducts }
}

/** Whether an incremental plan of `products` products gets the later copies. */
export const planIsLarge = (plan: CopyPlan, products: number): boolean => products >= plan.scaleUpProducts
