import type pg from "pg"
import { type KeyBatch, keyBatches } from "../extract/batches"
import { fetchGroups } from "../extract/fetch"
import { sliceProductsCursor } from "../extract/sql"
import type { LegacyGroup, LegacyProduct } from "../mapping/types"
import { groupsOf } from "../messages/extract-batch"
import { decodeHistoryRows } from "../messages/history-rows"

/**
 * The legacy groups verify walks, in key order, a batch at a time: with a TEST_MODE selection
 * exactly the batch extract publishes for it, else every group holding a product, read with
 * extract's own cursor (one slice covering the whole key space). History-only (orphan) groups
 * produce no v3 row, so they are not walked.
 */
export async function* legacyBatches(legacy: pg.Pool, testSelection: KeyBatch | null | undefined, size: number): AsyncGenerator<KeyBatch> {
  if (testSelection !== undefined) {
    if (testSelection) yield testSelection
    return
  }
  yield* keyBatches(legacy, sliceProductsCursor(false), [1, 0], size)
}

/** Groups a TEST_MODE run or the whole catalog holds: how many verify will walk. */
export async function countGroups(legacy: pg.Pool, testSelection: KeyBatch | null | undefined): Promise<number> {
  if (testSelection !== undefined) return testSelection?.keys.length ?? 0
  const { rows } = await legacy.query<{ n: string }>("SELECT count(DISTINCT external_id)::bigint AS n FROM product")
  return Number(rows[0]!.n)
}

/**
 * The batch's groups with every product, and the history rows of the `withHistories` keys only
 * (fetched the way extract fetches them, src/extract/fetch.ts): a group's products and
 * multimedia never depend on its history rows, so unsampled groups skip the costly part.
 */
export async function loadGroups(legacy: pg.Pool, batch: KeyBatch, withHistories: readonly string[]): Promise<LegacyGroup[]> {
  const fetched = await fetchGroups(legacy, { keys: [...withHistories], uuids: batch.uuids, lastKey: batch.lastKey })
  return groupsOf({
    keys: batch.keys,
    products: JSON.parse(fetched.productsJson) as LegacyProduct[],
    histories: decodeHistoryRows(fetched.historyRows, "verify").byKey,
  })
}
