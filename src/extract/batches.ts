import type pg from "pg"
import { cursorChunks } from "../db/cursor"

/** A run of whole groups: their keys and their products (none for orphan groups). */
export interface KeyBatch {
  keys: string[]
  /** The products by uuid (a daily plan, a re-extract, verify)… */
  uuids: string[]
  /** …or by their unique key (a full run's slices, src/extract/sql.ts sliceProductKeysCursor). */
  byKey?: ProductKeys
  /** The last key of the batch: where a resumed extract continues after. */
  lastKey: string
  /** Incremental runs: the signatures the last loads of a key's group recorded (products, histories), when both exist. */
  recorded?: Record<string, [products: string, histories: string]>
}

const READ_ROWS = 2_000

/** Products by their unique key (platform, country, external_id), the three lists in step. */
export interface ProductKeys {
  platforms: string[]
  countries: string[]
  externalIds: string[]
}

/**
 * A cursor row: a key, and one of its products, by its uuid or by its platform and country
 * (neither for a key without products).
 */
interface KeyRow {
  external_id: string
  uuid?: string | null
  platform?: string
  country?: string
  recorded_psig?: string | null
  recorded_hsig?: string | null
}

/** With `rampUp`, the first batches hold an eighth, a quarter and a half of `size`. */
const RAMP = [8, 4, 2]

/**
 * Reads (external_id[, uuid]) rows in key order from a server-side cursor and cuts them into
 * batches of about `size` products (or keys, for orphan batches) without splitting a group.
 * The cursor lives in a READ ONLY transaction on its own connection (src/db/cursor.ts).
 * `rampUp`: a small first batch reaches transform sooner, which otherwise waits for a whole
 * batch to be fetched and then for the whole batch's mapping before any loader starts.
 */
export async function* keyBatches(
  pool: pg.Pool,
  sql: string,
  params: unknown[],
  size: number,
  { rampUp = false }: { rampUp?: boolean } = {},
): AsyncGenerator<KeyBatch> {
  let batch: KeyBatch = { keys: [], uuids: [], lastKey: "" }
  let units = 0
  let cut = 0
  const limit = () => (rampUp && cut < RAMP.length ? Math.max(1, Math.floor(size / RAMP[cut]!)) : size)
  for await (const rows of cursorChunks<KeyRow>(pool, sql, params, READ_ROWS)) {
    for (const row of rows) {
      const isNewKey = batch.keys.length === 0 || batch.lastKey !== row.external_id
      if (isNewKey && units >= limit()) {
        yield batch
        batch = { keys: [], uuids: [], lastKey: "" }
        units = 0
        cut++
      }
      if (isNewKey) {
        batch.keys.push(row.external_id)
        batch.lastKey = row.external_id
        if (row.uuid == null && row.platform === undefined) units += 1
        if (row.recorded_psig != null && row.recorded_hsig != null) (batch.recorded ??= {})[row.external_id] = [row.recorded_psig, row.recorded_hsig]
      }
      if (row.uuid != null) {
        batch.uuids.push(row.uuid)
        units += 1
      } else if (row.platform !== undefined && row.country !== undefined) {
        const k = (batch.byKey ??= { platforms: [], countries: [], externalIds: [] })
        k.platforms.push(row.platform)
        k.countries.push(row.country)
        k.externalIds.push(row.external_id)
        units += 1
      }
    }
  }
  if (batch.keys.length > 0) yield batch
}
