import type pg from "pg"
import { isExcludedPlatform } from "../mapping/platform"
import type { MappingConfig } from "../mapping/types"
import type { KeyBatch } from "./batches"
import { productsByUuid } from "./sql"

/** MAPPING.md, Accounting and runs: how many products a TEST_MODE run takes. */
export const TEST_MODE_PRODUCTS = 10

/**
 * MAPPING.md: TEST_MODE=true limits a run to the first 10 products, by uuid, whose platform is
 * not excluded. One batch holding them (with their keys, for the history rows), or null when
 * there is none. Shared by extract and verify, so both mean the same products.
 */
export async function testModeSelection(legacy: pg.Pool, mapping: MappingConfig): Promise<KeyBatch | null> {
  const picked: { uuid: string; external_id: string }[] = []
  let after = ""
  while (picked.length < TEST_MODE_PRODUCTS) {
    const { rows } = await legacy.query<{ uuid: string; platform: string; external_id: string }>(productsByUuid, [after])
    if (rows.length === 0) break
    for (const r of rows) if (picked.length < TEST_MODE_PRODUCTS && !isExcludedPlatform(r.platform, mapping)) picked.push(r)
    after = rows[rows.length - 1]!.uuid
  }
  if (picked.length === 0) return null
  const keys = [...new Set(picked.map((r) => r.external_id))].sort()
  return { keys, uuids: picked.map((r) => r.uuid), lastKey: keys[keys.length - 1]! }
}
