import type pg from "pg"
import { cursorChunks } from "../db/cursor"

/** A run of whole groups: their keys and the uuids of their products (none for orphan groups). */
export interface KeyBatch {
  keys: string[]
  uuids: string[]
  /** The last key of the batch: where a resumed extract continues after. */
  lastKey: string
  /** Incremental runs: the signatures the last loads of a key's group recorded (products, histories), when both exist. */
  recorded?: Record<string, [products: string, histories: string]>
}

const READ_ROWS = 2_000

/** A cursor row: a key, and one of its products' uuids (absent or null for a key without products). */
interface KeyRow {
  external_id: string
  uuid?: string | null
  recorded_psig?: string | null
  recorded_hsig?: string | null
}

/**
 * Reads (external_id[, uuid]) rows in key order from a server-side cursor and cuts them into
 * batches of about `size` products (or keys, for orphan batches) without splitting a group.
 * The cursor lives in a READ ONLY transaction on its own connection (src/db/cursor.ts).
 */
export async function* keyBatches(
  pool: pg.Pool,
  sql: string,
  params: unknown[],
  size: number,
): AsyncGenerator<KeyBatch> {
  let batch: KeyBatch = { keys: [], uuids: [], lastKey: "" }
  let units = 0
  for await (const rows of cursorChunks<KeyRow>(pool, sql, params, READ_ROWS)) {
    for (const row of rows) {
      const isNewKey = batch.keys.length === 0 || batch.lastKey !== row.external_id
      if (isNewKey && units >= size) {
        yield batch
        batch = { keys: [], uuids: [], lastKey: "" }
        units = 0
      }
      if (isNewKey) {
        batch.keys.push(row.external_id)
        batch.lastKey = row.external_id
        if (row.uuid == null) units += 1
        if (row.recorded_psig != null && row.recorded_hsig != null) (batch.recorded ??= {})[row.external_id] = [row.recorded_psig, row.recorded_hsig]
      }
      if (row.uuid != null) {
        batch.uuids.push(row.uuid)
        units += 1
      }
    }
  }
  if (batch.keys.length > 0) yield batch
}
