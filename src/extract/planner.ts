import type { Redis } from "ioredis"
import type pg from "pg"
import type { Logger } from "../log/logger"
import type { RunState } from "../run/state"
import { outageWatch } from "../runtime/outage"
import { sleep } from "../runtime/sleep"
import type { StreamKeys } from "../streams/keys"
import { computePlan } from "./plan"
import { EARLY_BATCH_SIZE_FIELD, EARLY_PLAN } from "./plan-early"
import { BOUNDS_FIELD, drawPlanBounds } from "./slices"
import { legacyHorizon } from "./sql"
import { UnitLeases } from "./units"

export interface PlannerDeps {
  legacy: pg.Pool
  v3: pg.Pool
  redis: Redis
  keys: StreamKeys
  run: RunState
  /** The lease owner: the extract copy's worker id. */
  owner: string
  batchSize: number
  log: Logger
  signal: AbortSignal
}

/** How often a copy waiting for another's plan looks again: a quiet day's plan takes seconds. */
const PLAN_POLL_MS = 100

/** Batches a unit of an incremental run should hold before the plan is split into more units. */
const BATCHES_PER_UNIT = 8

/**
 * Units for a plan of `groups`: at most `slices`, and few enough that each holds several
 * batches. A unit's batches are fetched ahead of their publishing while units run one after
 * another, so a small plan split eight ways ran as eight single, unoverlapped fetches (a quiet
 * day at 400k products: 3,296 groups, 0.6–0.8 s per unit, 5.5 s in all).
 */
export function planSlices(groups: number, batchSize: number, slices: number): number {
  return Math.max(1, Math.min(slices, Math.floor(groups / (batchSize * BATCHES_PER_UNIT))))
}

/** Run hash field: the products per batch of a daily plan, for every copy of extract (dailyBatchSize). */
export const BATCH_SIZE_FIELD = "batch_size"

/** Batches a small daily plan is cut into at least, and the smallest batch it gets. */
const DAILY_BATCHES = 22
const MIN_DAILY_BATCH = 100

/**
 * Early keys, one unit for one copy of extract, hold at most this many batches of
 * EXTRACT_BATCH_SIZE products (a small daily plan's); more are planned with the rest
 * (src/extract/plan-early.ts computeEarlyPlan).
 */
const EARLY_MAX_BATCHES = DAILY_BATCHES

/**
 * Products per batch for a daily plan of `products`: EXTRACT_BATCH_SIZE, or less for a plan of
 * fewer than DAILY_BATCHES of them. The last batch goes through transform and then the loaders
 * while every earlier stage is done, so its size is time the run waits on one core. On the 400k
 * quiet day (3,380 products, 2 cores) batches of 150 took 9.5 s on average against 10.1 s at
 * 500, faster in 12 of 14 alternated trials; batches of 60 took 10.6 s, each batch having fixed
 * costs in every stage (docs/DECISIONS.md 60).
 */
export function dailyBatchSize(products: number, batchSize: number): number {
  return Math.min(batchSize, Math.max(MIN_DAILY_BATCH, Math.ceil(products / DAILY_BATCHES)))
}

export interface Horizon {
  /** Run hash legacy_horizon: the snapshot's xmax. */
  h: string
  /** Run hash legacy_xmin: the snapshot's xmin. */
  xmin: string
}

export async function readHorizon(legacy: pg.Pool): Promise<Horizon> {
  return (await legacy.query<Horizon>(legacyHorizon)).rows[0]!
}

async function recordedHorizon(d: PlannerDeps): Promise<Horizon> {
  const [h, xmin] = await d.redis.hmget(d.keys.run, "legacy_horizon", "legacy_xmin")
  return { h: h!, xmin: xmin! }
}

/**
 * Plans the incremental run unless it is planned or being planned: takes the "plan" lease,
 * renews it while the plan runs (a large catalog's plan can outlast it), records the plan with
 * the run and marks it done. A failure releases the lease at once, for another copy to plan; a
 * copy that lost the lease meanwhile records nothing and answers "busy".
 */
export async function planOnce(d: PlannerDeps, leases = new UnitLeases(d.redis, d.keys, d.run, d.owner)): Promise<"planned" | "done" | "busy"> {
  if ((await leases.positions()).get("plan")?.done) return "done"
  if (!(await leases.acquire("plan"))) return "busy"
  // Lost when a renewal finds another owner (this process stalled past the lease, or Redis lost
  // the key): that copy plans, and this one must not record its own plan over it.
  let lost = false
  const renew = async () => {
    if (!(await leases.renew("plan").catch(() => true))) lost = true
  }
  const renewal = setInterval(() => void renew(), leases.ttlMs / 3)
  try {
    // Another copy may have finished the plan between the check above and the lease.
    if ((await leases.positions()).get("plan")?.done) return "done"
    d.log.info({ run: d.run.id }, "planning incremental run: comparing legacy signatures with the last run")
    // Before the plan reads anything: the next run's horizon (src/extract/sql.ts legacyHorizon).
    // Recorded with the early keys, which extract may read at once: an attempt after them keeps it.
    const earlyDone = (await leases.positions()).get(EARLY_PLAN)?.done === true
    const horizon = earlyDone ? await recordedHorizon(d) : await outageWatch().ride(() => readHorizon(d.legacy), d.signal)
    const onEarly = async (early: { groups: number; products: number }) => {
      if (lost) return
      await d.redis.hset(d.keys.run, { legacy_horizon: horizon.h, legacy_xmin: horizon.xmin, [EARLY_BATCH_SIZE_FIELD]: dailyBatchSize(early.products, d.batchSize) })
      if (!(await leases.publish(EARLY_PLAN, null, { key: null, done: true }, null, {}, 0, "plan"))) lost = true
      d.log.info({ run: d.run.id, ...early }, "early keys planned (new history rows): extract may start on them")
    }
    const plan = await outageWatch().ride(() => computePlan(d.legacy, d.v3, d.run.id, d.log, { onEarly, earlyDone, earlyMaxProducts: EARLY_MAX_BATCHES * d.batchSize }), d.signal)
    if (lost) {
      d.log.warn({ run: d.run.id }, "lost the plan's lease while planning: leaving the plan to the copy that holds it")
      return "busy"
    }
    const batchSize = dailyBatchSize(plan.rest.products, d.batchSize)
    const slices = planSlices(plan.rest.groups, batchSize, d.run.slices)
    const bounds = await outageWatch().ride(() => drawPlanBounds(d.v3, d.run.id, plan.rest.groups, slices), d.signal)
    await d.redis.hset(d.keys.run, {
      slices,
      [BATCH_SIZE_FIELD]: batchSize,
      [BOUNDS_FIELD]: JSON.stringify(bounds),
      plan_groups: plan.groups,
      plan_products: plan.products,
      plan_new_groups: plan.newGroups,
      plan_product_changes: plan.productChanges,
      plan_history_changes: plan.historyChanges,
      watermark: plan.watermark ?? "",
      legacy_horizon: horizon.h,
      legacy_xmin: horizon.xmin,
    })
    if (!(await leases.publish("plan", null, { key: null, done: true }, null, {}))) return "busy"
    d.log.info({ run: d.run.id, ...plan }, "incremental plan ready")
    return "planned"
  } finally {
    clearInterval(renewal)
    await leases.release("plan").catch(() => undefined)
  }
}

/** Returns once the run's plan is done (extract): plans it here when no one else is at it. */
export async function ensurePlan(d: PlannerDeps, leases?: UnitLeases): Promise<void> {
  while ((await planOnce(d, leases)) === "busy") {
    await sleep(PLAN_POLL_MS, d.signal)
    if (d.signal.aborted) return
  }
}

/**
 * Returns once the run's early keys are planned or its whole plan is done (extract): the early
 * unit can start while another copy (migrate, usually) compares the rest.
 */
export async function ensureEarlyPlan(d: PlannerDeps, leases = new UnitLeases(d.redis, d.keys, d.run, d.owner)): Promise<void> {
  for (;;) {
    if ((await leases.positions()).get(EARLY_PLAN)?.done) return
    if ((await planOnce(d, leases)) !== "busy") return
    await sleep(PLAN_POLL_MS, d.signal)
    if (d.signal.aborted) return
  }
}
