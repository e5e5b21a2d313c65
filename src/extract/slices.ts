import type { Redis } from "ioredis"
import type pg from "pg"
import type { StreamKeys } from "../streams/keys"
import { sliceOf, sliceProductKeysCursor } from "./sql"

/**
 * How a full run's product keys are cut into its work units. Ranges of external_id, cut at
 * bounds drawn once per run: a range's products, and in a catalog written in key order their
 * history rows, lie together in the heap, so each page is read by one unit. Hash buckets, which
 * a daily plan's units still are, had every unit read most pages: at 1.6M products, past
 * shared_buffers, the server read 1.52M blocks against 0.73M, and spent 105 CPU-seconds against
 * 78 (docs/DECISIONS.md 57). `hash`: a run an earlier release started in hash buckets, resumed
 * as it was cut.
 */
export type FullSlicing = { bounds: string[] } | { hash: number }

/** Run hash field: the bounds, as a JSON array. */
const FIELD = "slice_bounds"

/** Product rows the bounds are drawn from: enough for even units, a few hundred pages read. */
const SAMPLE_ROWS = 20_000

/**
 * The upper bounds of the first `slices - 1` ranges: the key at each i/slices of a sample of the
 * product table's pages. Every key after the last bound falls in the last range; an empty table
 * gives no bounds, and its one range is the first.
 */
export const sliceBoundsSample = `
  SELECT (percentile_disc($2::float8[]) WITHIN GROUP (ORDER BY p.external_id))::text[] AS bounds
  FROM product p TABLESAMPLE SYSTEM ($1::float4)`

export async function drawBounds(legacy: pg.Pool | pg.PoolClient, slices: number, products: number): Promise<string[]> {
  const percent = Math.min(100, (100 * SAMPLE_ROWS) / Math.max(products, 1))
  const fractions = Array.from({ length: slices - 1 }, (_, i) => (i + 1) / slices)
  const { rows } = await legacy.query<{ bounds: string[] | null }>(sliceBoundsSample, [percent, fractions])
  return rows[0]?.bounds ?? []
}

/**
 * The run's slicing, drawn and recorded by the first copy of extract to start the run; every
 * copy and every resume reads the recorded one. `started`: some unit has published already.
 */
export async function fullRunSlicing(legacy: pg.Pool, redis: Redis, keys: StreamKeys, slices: number, products: number, started: boolean): Promise<FullSlicing> {
  const recorded = await redis.hget(keys.run, FIELD)
  if (recorded !== null) return { bounds: JSON.parse(recorded) as string[] }
  // Units an earlier release published: their positions are keys of hash buckets.
  if (started) return { hash: slices }
  await redis.hsetnx(keys.run, FIELD, JSON.stringify(await drawBounds(legacy, slices, products)))
  return { bounds: JSON.parse((await redis.hget(keys.run, FIELD))!) as string[] }
}

/** The key cursor of unit `s{slice}` after `after`, or null for a range the bounds left empty. */
export function sliceCursor(slicing: FullSlicing, slice: number, after: string | null): { sql: string; params: unknown[] } | null {
  const params: unknown[] = []
  const param = (v: unknown) => `$${params.push(v)}`
  const where: string[] = []
  if ("hash" in slicing) where.push(sliceOf("p.external_id", param(slicing.hash), param(slice)))
  else {
    const b = slicing.bounds
    if (slice > b.length) return null
    if (slice > 0) where.push(`p.external_id > ${param(b[slice - 1])}`)
    if (slice < b.length) where.push(`p.external_id <= ${param(b[slice])}`)
  }
  if (after !== null) where.push(`p.external_id > ${param(after)}`)
  return { sql: sliceProductKeysCursor(where.length > 0 ? where.join(" AND ") : "true"), params }
}
