import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keyBatches } from "../../src/extract/batches"
import { fetchGroups } from "../../src/extract/fetch"
import { sliceProductKeysCursor, sliceProductsCursor } from "../../src/extract/sql"
import { createLegacyDatabase } from "../support/legacy"
import { settledConnections } from "../support/leaks"
import { dropDatabase } from "../support/pg"

/**
 * A full run's work units list their products by unique key (platform, country, external_id),
 * which the server reads from the unique index alone (src/extract/sql.ts
 * sliceProductKeysCursor); verify and the daily plan name them by uuid. Both must put the same
 * groups in the same batches and fetch the same rows.
 */
let db: { name: string; url: string }
let pool: pg.Pool
const SLICES = 3

beforeAll(async () => {
  db = await createLegacyDatabase(400, 11)
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
}, 120_000)

afterAll(async () => {
  await pool.end()
  expect(await settledConnections([db.name])).toBe(0)
  await dropDatabase(db.name)
})

const batchesOf = async (cursor: (withPosition: boolean) => string, slice: number, after?: string) => {
  const out = []
  for await (const b of keyBatches(pool, cursor(after !== undefined), [SLICES, slice, ...(after !== undefined ? [after] : [])], 50)) out.push(b)
  return out
}

describe("a full run's slices by unique key", () => {
  it("cover every product exactly once, in the batches a uuid cursor cuts, and fetch the same rows and signatures", async () => {
    const listed: string[] = []
    for (let slice = 0; slice < SLICES; slice++) {
      const byKey = await batchesOf(sliceProductKeysCursor, slice)
      const byUuid = await batchesOf(sliceProductsCursor, slice)
      expect(byKey.map((b) => b.keys)).toEqual(byUuid.map((b) => b.keys))
      for (const [i, b] of byKey.entries()) {
        expect(b.uuids).toEqual([])
        listed.push(...b.byKey!.platforms.map((p, j) => `${p}|${b.byKey!.countries[j]}|${b.byKey!.externalIds[j]}`))
        const [a, u] = await Promise.all([fetchGroups(pool, b), fetchGroups(pool, byUuid[i]!)])
        expect(a.productCount).toBe(byUuid[i]!.uuids.length)
        expect(a.productsJson).toBe(u.productsJson)
        expect(JSON.parse(a.productSigsJson)).toEqual(JSON.parse(u.productSigsJson))
        expect(a.historyRows).toBe(u.historyRows)
      }
    }
    const { rows } = await pool.query<{ k: string }>("SELECT platform || '|' || country || '|' || external_id AS k FROM product ORDER BY 1")
    expect([...listed].sort()).toEqual(rows.map((r) => r.k).sort())
  })

  it("resume after a key with the groups that follow it", async () => {
    const all = await batchesOf(sliceProductKeysCursor, 1)
    const after = all[1]!.lastKey
    const resumed = await batchesOf(sliceProductKeysCursor, 1, after)
    expect(resumed.flatMap((b) => b.keys)).toEqual(all.flatMap((b) => b.keys).filter((k) => k > after))
  })
})
