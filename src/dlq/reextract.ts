import type pg from "pg"
import type { KeyBatch } from "../extract/batches"
import { fetchGroups, type GroupBatch } from "../extract/fetch"

/** Every product of the given groups, in key order: a group is all products sharing an external_id. */
const productsOfKeys = `
  SELECT external_id, uuid::text AS uuid FROM product
  WHERE external_id = ANY($1::text[]) ORDER BY external_id, uuid`

const KEYS_PER_BATCH = 200

/**
 * Reads groups fresh from the legacy database, as extract would publish them: whole groups (all
 * their products and history rows), so the mapping sees every collision and every history row
 * again. With a TEST_MODE selection only its products are taken, as the TEST_MODE run did.
 */
export async function reextractGroups(legacy: pg.Pool, keys: readonly string[], selection: KeyBatch | null): Promise<GroupBatch[]> {
  const wanted = [...new Set(keys)].filter((k) => !selection || selection.keys.includes(k)).sort()
  const batches: GroupBatch[] = []
  for (let i = 0; i < wanted.length; i += KEYS_PER_BATCH) {
    const chunk = wanted.slice(i, i + KEYS_PER_BATCH)
    const { rows } = await legacy.query<{ external_id: string; uuid: string }>(productsOfKeys, [chunk])
    const uuids = rows.map((r) => r.uuid).filter((u) => !selection || selection.uuids.includes(u))
    const batch: KeyBatch = { keys: chunk, uuids, lastKey: chunk[chunk.length - 1]! }
    batches.push(await fetchGroups(legacy, batch))
  }
  return batches
}
