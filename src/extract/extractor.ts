import type { Redis } from "ioredis"
import type pg from "pg"
import type { Logger } from "../log/logger"
import type { MappingConfig } from "../mapping/types"
import { encodeExtractBatch } from "../messages/extract-batch"
import type { RunState } from "../run/state"
import { relieveMemory } from "../runtime/memory"
import { outageWatch } from "../runtime/outage"
import { sleep } from "../runtime/sleep"
import type { StreamKeys } from "../streams/keys"
import { runScript } from "../streams/scripts"
import { waitForRoom } from "./backpressure"
import { type KeyBatch, keyBatches } from "./batches"
import { fetchGroups, type GroupBatch } from "./fetch"
import { previousHorizon, slicePlanCursor } from "./plan"
import { EARLY_BATCH_SIZE_FIELD, EARLY_PLAN, EARLY_UNIT } from "./plan-early"
import { BATCH_SIZE_FIELD, ensureEarlyPlan, ensurePlan, readHorizon } from "./planner"
import { fullRunSlicing, recordedSlicing, type Slicing, sliceWhere } from "./slices"
import { countProducts, orphanKeysCursor, sliceProductKeysCursor } from "./sql"
import { TEST_MODE_PRODUCTS, testModeSelection } from "./test-mode"
import { type UnitPosition, UnitLeases, unitsOf } from "./units"

export interface ExtractDeps {
  legacy: pg.Pool
  v3: pg.Pool
  redis: Redis
  keys: StreamKeys
  run: RunState
  owner: string
  batchSize: number
  maxInFlight: number
  mapping: MappingConfig
  log: Logger
  signal: AbortSignal
  /** Between batches: "stop" when the supervisor is gone or the run was replaced (src/pipeline/guards.ts). */
  between: () => Promise<"continue" | "stop">
}

/** Batches fetched ahead of the one being published. */
const FETCH_AHEAD = 2

/**
 * Legacy connections one extract process needs: the unit's cursor and one per batch fetched
 * ahead (src/extract/fetch.ts); more would only spread the same reads over more server processes.
 */
export const LEGACY_CONNECTIONS = 1 + FETCH_AHEAD

/**
 * Extracts every work unit of the run, sharing them with other extract copies through leases,
 * and marks the run extracted once all units are done. Returns early when `signal` aborts; a
 * later start resumes every unit after its last published key.
 */
export async function extractRun(d: ExtractDeps): Promise<void> {
  const leases = new UnitLeases(d.redis, d.keys, d.run, d.owner)
  let horizon: string | null = null
  let slicing: Slicing = { hash: d.run.slices }
  if (d.run.kind === "incremental" && !d.run.testMode) {
    // The early keys while the rest of the plan is compared, when another copy plans (src/extract/plan-early.ts).
    await ensureEarlyPlan(d, leases)
    if (d.signal.aborted) return
    horizon = await previousHorizon(d.legacy, d.v3, d.run.id)
    const positions = await leases.positions()
    if (positions.get(EARLY_PLAN)?.done && !positions.get(EARLY_UNIT)?.done) await workUnit(d, leases, EARLY_UNIT, horizon, slicing)
    await ensurePlan(d, leases)
    if (d.signal.aborted) return
    // Every copy of extract splits the plan the same way: by the unit count the planner recorded.
    const planned = Number(await d.redis.hget(d.keys.run, "slices"))
    if (Number.isInteger(planned) && planned > 0) d = { ...d, run: { ...d.run, slices: planned } }
    // And in batches of the size it chose for the plan (absent from a plan of an earlier release).
    const size = Number(await d.redis.hget(d.keys.run, BATCH_SIZE_FIELD))
    if (Number.isInteger(size) && size > 0) d = { ...d, batchSize: size }
    slicing = await recordedSlicing(d.redis, d.keys, d.run.slices)
    if (horizon === null) d.log.info({ run: d.run.id }, "no legacy horizon of an earlier run to trust: every planned group is re-migrated whole")
  }
  if (d.run.kind === "full") {
    // Before any row is read (kept from the first start of the run: a resumed extract keeps it).
    if (!d.run.testMode) {
      const horizon = await readHorizon(d.legacy)
      // Only with the horizon it belongs to: a run an earlier release started and this one resumes
      // may have read rows already, and records no xmin (the next plan then compares every group).
      if ((await d.redis.hsetnx(d.keys.run, "legacy_horizon", horizon.h)) === 1) await d.redis.hset(d.keys.run, "legacy_xmin", horizon.xmin)
    }
    const { rows } = await d.legacy.query<{ n: string }>(countProducts)
    const total = d.run.testMode ? Math.min(TEST_MODE_PRODUCTS, Number(rows[0]!.n)) : Number(rows[0]!.n)
    await d.redis.hsetnx(d.keys.run, "total_products", total)
    const mark = await d.legacy.query<{ w: string | null }>("SELECT max(updated_at)::text AS w FROM product")
    await d.redis.hsetnx(d.keys.run, "watermark", mark.rows[0]?.w ?? "")
    if (!d.run.testMode) slicing = await fullRunSlicing(d.legacy, d.redis, d.keys, d.run.slices, total, (await leases.positions()).size > 0)
  }
  const units = unitsOf(d.run)
  for (;;) {
    if (d.signal.aborted || (await d.between()) === "stop") return
    const positions = await leases.positions()
    const remaining = units.filter((u) => !positions.get(u)?.done)
    if (remaining.length === 0) break
    let worked = false
    for (const unit of remaining) {
      if (d.signal.aborted) return
      if (await workUnit(d, leases, unit, horizon, slicing)) worked = true
    }
    // Units held by other copies: wait, and take them over if their holder dies.
    if (!worked) await sleep(1_000, d.signal)
  }
  await markExtracted(d.redis, d.keys, d.run)
  d.log.info({ run: d.run.id }, "extract finished: every unit published")
}

/** Extracts `unit` unless another copy holds its lease; returns whether this copy worked on it. */
async function workUnit(d: ExtractDeps, leases: UnitLeases, unit: string, horizon: string | null, slicing: Slicing): Promise<boolean> {
  if (!(await leases.acquire(unit))) return false
  // Keeps the lease while a slow fetch or a backpressure wait holds up the next publish.
  const renewal = setInterval(() => void leases.renew(unit).catch(() => undefined), leases.ttlMs / 3)
  try {
    // A server restart mid-unit (the legacy cursor dies, Redis goes away): wait for it, then
    // resume the unit after its last published key.
    await outageWatch().ride(async () => extractUnit(d, leases, unit, (await leases.positions()).get(unit) ?? null, horizon, slicing), d.signal)
  } finally {
    clearInterval(renewal)
    await leases.release(unit)
  }
  return true
}

async function* batchesOf(d: ExtractDeps, unit: string, position: UnitPosition, slicing: Slicing): AsyncGenerator<KeyBatch> {
  const after = position.key
  if (unit === "test") return yield* testModeBatches(d)
  if (unit === "orphans") return yield* keyBatches(d.legacy, orphanKeysCursor(after !== null), after !== null ? [after] : [], d.batchSize)
  if (unit === EARLY_UNIT) {
    const size = Number(await d.redis.hget(d.keys.run, EARLY_BATCH_SIZE_FIELD))
    const where = `k.early${after !== null ? " AND k.external_id > $2" : ""}`
    return yield* keyBatches(d.v3, slicePlanCursor(where), after !== null ? [d.run.id, after] : [d.run.id], size > 0 ? size : d.batchSize, { rampUp: true })
  }
  const slice = Number(unit.slice(1))
  const incremental = d.run.kind === "incremental"
  const params: unknown[] = incremental ? [d.run.id] : []
  const where = sliceWhere(slicing, slice, after, incremental ? "k.external_id" : "p.external_id", params)
  if (where === null) return
  if (incremental) yield* keyBatches(d.v3, slicePlanCursor(`NOT k.early AND ${where}`), params, d.batchSize, { rampUp: true })
  else yield* keyBatches(d.legacy, sliceProductKeysCursor(where), params, d.batchSize)
}

async function extractUnit(
  d: ExtractDeps,
  leases: UnitLeases,
  unit: string,
  start: UnitPosition | null,
  horizon: string | null,
  slicing: Slicing,
): Promise<void> {
  if (start?.done) return
  const log = d.log.child({ unit })
  log.info({ after: start?.key ?? null }, start?.key ? "resuming unit" : "extracting unit")
  let at = start
  const ahead: Promise<GroupBatch>[] = []
  const publish = async (batch: GroupBatch): Promise<boolean> => {
    if ((await waitForRoom(d.redis, d.keys, d.maxInFlight, d.signal, d.between)) === "stop" || (await d.between()) === "stop") return false
    const to = { key: batch.lastKey, done: false }
    const fields = encodeExtractBatch({ run: d.run.id, test: d.run.testMode, unit, ...batch })
    const counts = {
      "extract.batches": 1,
      "extract.groups": batch.keys.length,
      "extract.products": batch.productCount,
      "extract.histories": batch.historyCount,
    }
    const ok = await leases.publish(unit, at, to, fields, counts, batch.productCount)
    if (!ok) log.warn("lease lost to another extract copy; leaving the unit to it")
    at = to
    // Like a consumer after each batch (src/runtime/memory.ts): extract peaked at 216 MB at 400k
    // products and at 254 MB at 1.6M, its heap growing with the catalog between collections.
    relieveMemory()
    return ok
  }
  try {
    for await (const kb of batchesOf(d, unit, start ?? { key: null, done: false }, slicing)) {
      const pending = fetchGroups(d.legacy, kb, horizon === null ? null : { horizon, v3: d.v3 })
      pending.catch(() => undefined)
      ahead.push(pending)
      if (ahead.length >= FETCH_AHEAD && !(await publish(await ahead.shift()!))) return
    }
    while (ahead.length > 0) if (!(await publish(await ahead.shift()!))) return
  } finally {
    // Batches fetched ahead and never published must not surface as unhandled rejections.
    for (const a of ahead) a.catch(() => undefined)
  }
  await leases.publish(unit, at, { key: at?.key ?? null, done: true }, null, {})
  log.info("unit done")
}

/** MAPPING.md: TEST_MODE=true limits a run to the first 10 products, by uuid, whose platform is not excluded. */
async function* testModeBatches(d: ExtractDeps): AsyncGenerator<KeyBatch> {
  const selection = await testModeSelection(d.legacy, d.mapping)
  // The end-of-run check counts these in v3 (src/run/check.ts).
  await d.redis.hset(d.keys.run, "test_uuids", JSON.stringify(selection?.uuids ?? []))
  if (selection) yield selection
}

async function markExtracted(client: Redis, keys: StreamKeys, run: RunState): Promise<void> {
  await runScript(client, "run-transition", [keys.run], [run.id, "extracting", "extracted", "extracted_at", Date.now()])
}
