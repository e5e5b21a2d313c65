import type { Redis } from "ioredis"
import type pg from "pg"
import type { StreamKeys } from "../streams/keys"
import { sliceOf } from "./sql"

/**
 * How a run's keys are cut into its work units: ranges of the key order, cut at bounds drawn
 * once per run, recorded in the run hash, and read by every copy and every resume. A range's
 * products, and in a catalog written in key order their history rows, lie together in the heap,
 * so each page is read by one unit. Hash buckets had every unit read most pages: at 1.6M
 * products, past shared_buffers, the server read 1.52M blocks against 0.73M, and spent 105
 * CPU-seconds against 78 (docs/DECISIONS.md 57). `hash`: a run an earlier release began in
 * hash buckets, resumed as it was cut.
 */
export type Slicing = { bounds: string[] } | { hash: number }

/** Run hash field: the bounds, as a JSON array. */
export const BOUNDS_FIELD = "slice_bounds"

/** Product rows a full run's bounds are drawn from: enough for even units, a few hundred pages read. */
const SAMPLE_ROWS = 20_000

/**
 * A full run's bounds, the upper bounds of the first `slices - 1` ranges: the key at each
 * i/slices of a sample of the product table's pages. Every key after the last bound falls in
 * the last range; an empty table gives no bounds, and its one range is the first.
 */
export const sliceBoundsSample = `
  SELECT (percentile_disc($2::float8[]) WITHIN GROUP (ORDER BY p.external_id))::text[] AS bounds
  FROM product p TABLESAMPLE SYSTEM ($1::float4)`

/**
 * A daily plan's bounds, from its planned keys themselves: every $2-th of run $1's, at most $3,
 * the early keys left out (they are a unit of their own, src/extract/plan-early.ts).
 */
export const planBounds = `
  SELECT k.external_id FROM (
    SELECT external_id, row_number() OVER (ORDER BY external_id) AS n FROM migration.plan_keys WHERE run_id = $1 AND NOT early) k
  WHERE k.n % $2 = 0 ORDER BY k.n LIMIT $3`

export async function drawBounds(legacy: pg.Pool | pg.PoolClient, slices: number, products: number): Promise<string[]> {
  const percent = Math.min(100, (100 * SAMPLE_ROWS) / Math.max(products, 1))
  const fractions = Array.from({ length: slices - 1 }, (_, i) => (i + 1) / slices)
  const { rows } = await legacy.query<{ bounds: string[] | null }>(sliceBoundsSample, [percent, fractions])
  return rows[0]?.bounds ?? []
}

export async function drawPlanBounds(v3: pg.Pool | pg.PoolClient, runId: string, groups: number, slices: number): Promise<string[]> {
  if (slices < 2) return []
  const { rows } = await v3.query<{ external_id: string }>(planBounds, [runId, Math.ceil(groups / slices), slices - 1])
  return rows.map((r) => r.external_id)
}

/** The slicing recorded with the run; without bounds, the hash buckets of an earlier release. */
export async function recordedSlicing(redis: Redis, keys: StreamKeys, slices: number): Promise<Slicing> {
  const recorded = await redis.hget(keys.run, BOUNDS_FIELD)
  return recorded !== null ? { bounds: JSON.parse(recorded) as string[] } : { hash: slices }
}

/**
 * A full run's slicing, drawn and recorded by the first copy of extract to start the run.
 * `started`: some unit has published already, in the buckets of an earlier release when no
 * bounds are recorded.
 */
export async function fullRunSlicing(legacy: pg.Pool, redis: Redis, keys: StreamKeys, slices: number, products: number, started: boolean): Promise<Slicing> {
  if (!started && !(await redis.hexists(keys.run, BOUNDS_FIELD))) {
    await redis.hsetnx(keys.run, BOUNDS_FIELD, JSON.stringify(await drawBounds(legacy, slices, products)))
  }
  return recordedSlicing(redis, keys, slices)
}

/**
 * The condition on `column` selecting unit `s{slice}`'s keys after `after`, its parameters
 * appended to `params`; null for a range the bounds left empty.
 */
export function sliceWhere(slicing: Slicing, slice: number, after: string | null, column: string, params: unknown[]): string | null {
  const param = (v: unknown) => `$${params.push(v)}`
  const where: string[] = []
  if ("hash" in slicing) where.push(sliceOf(column, param(slicing.hash), param(slice)))
  else {
    const b = slicing.bounds
    if (slice > b.length) return null
    if (slice > 0) where.push(`${column} > ${param(b[slice - 1])}`)
    if (slice < b.length) where.push(`${column} <= ${param(b[slice])}`)
  }
  if (after !== null) where.push(`${column} > ${param(after)}`)
  return where.length > 0 ? where.join(" AND ") : "true"
}
