import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keyBatches } from "../../src/extract/batches"
import { fetchGroups } from "../../src/extract/fetch"
import { drawBounds, fullRunSlicing, type Slicing, sliceWhere } from "../../src/extract/slices"
import { sliceProductKeysCursor, sliceProductsCursor } from "../../src/extract/sql"
import { streamKeys } from "../../src/streams/keys"
import { createLegacyDatabase } from "../support/legacy"
import { releaseAndCheckLeaks } from "../support/leaks"
import { testPrefix, testRedis } from "../support/redis"

/**
 * A full run's work units are ranges of the key order, cut at bounds drawn once per run from a
 * sample (src/extract/slices.ts), and list their products by unique key, which the server reads
 * from the unique index alone; verify and the daily plan name products by uuid. The units must
 * together list every product once, and fetch what a uuid cursor's batches fetch.
 */
const redis = testRedis()
const prefix = testPrefix("slices")
const keys = streamKeys(prefix)
let db: { name: string; url: string }
let pool: pg.Pool
const SLICES = 3

beforeAll(async () => {
  db = await createLegacyDatabase(400, 11)
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
}, 120_000)

afterAll(async () => {
  await pool.end()
  await releaseAndCheckLeaks(redis, [prefix], [db.name])
})

const batchesOf = async (slicing: Slicing, slice: number, after: string | null = null) => {
  const params: unknown[] = []
  const where = sliceWhere(slicing, slice, after, "p.external_id", params)
  const out = []
  if (where !== null) for await (const b of keyBatches(pool, sliceProductKeysCursor(where), params, 50)) out.push(b)
  return out
}

const productKeys = async () =>
  (await pool.query<{ k: string }>("SELECT platform || '|' || country || '|' || external_id AS k FROM product ORDER BY 1")).rows.map((r) => r.k)

const listedKeys = (batches: Awaited<ReturnType<typeof batchesOf>>) =>
  batches.flatMap((b) => b.byKey!.platforms.map((p, j) => `${p}|${b.byKey!.countries[j]}|${b.byKey!.externalIds[j]}`))

describe("a full run's slices", () => {
  it("are ranges of the key order that together list every product once, each about an equal share", async () => {
    const bounds = await drawBounds(pool, SLICES, 400)
    expect(bounds).toHaveLength(SLICES - 1)
    const slices = []
    for (let s = 0; s < SLICES; s++) slices.push(await batchesOf({ bounds }, s))
    const { rows } = await pool.query<{ external_id: string }>("SELECT DISTINCT external_id FROM product ORDER BY 1")
    // Concatenated, the units' groups are the key order itself: each unit is one stretch of it.
    expect(slices.flat().flatMap((b) => b.keys)).toEqual(rows.map((r) => r.external_id))
    expect(slices.flat().every((b) => b.uuids.length === 0)).toBe(true)
    expect(listedKeys(slices.flat()).sort()).toEqual((await productKeys()).sort())
    for (const s of slices) expect(listedKeys(s).length).toBeGreaterThan(400 / SLICES / 2)
  })

  it("give an empty catalog no bounds: its first range lists every product written since, the others none", async () => {
    const client = await pool.connect()
    try {
      await client.query("BEGIN")
      await client.query("DELETE FROM product")
      expect(await drawBounds(client, SLICES, 0)).toEqual([])
    } finally {
      await client.query("ROLLBACK")
      client.release()
    }
    expect(listedKeys(await batchesOf({ bounds: [] }, 0)).sort()).toEqual((await productKeys()).sort())
    expect(sliceWhere({ bounds: [] }, 1, null, "p.external_id", [])).toBeNull()
  })

  it("resume after a key with the groups that follow it", async () => {
    const bounds = await drawBounds(pool, SLICES, 400)
    const all = await batchesOf({ bounds }, 1)
    const after = all[1]!.lastKey
    const resumed = await batchesOf({ bounds }, 1, after)
    expect(resumed.flatMap((b) => b.keys)).toEqual(all.flatMap((b) => b.keys).slice(all.flatMap((b) => b.keys).indexOf(after) + 1))
  })

  it("are drawn once per run: every copy and resume reads the recorded bounds, and a run begun in hash buckets keeps them", async () => {
    const first = await fullRunSlicing(pool, redis, keys, SLICES, 400, false)
    expect(first).toEqual({ bounds: await drawBounds(pool, SLICES, 400) })
    const client = await pool.connect()
    try {
      await client.query("BEGIN")
      await client.query("DELETE FROM product WHERE external_id <= $1", [(first as { bounds: string[] }).bounds[1]])
      expect(await fullRunSlicing(pool, redis, keys, SLICES, 400, true)).toEqual(first)
    } finally {
      await client.query("ROLLBACK")
      client.release()
    }
    await redis.hdel(keys.run, "slice_bounds")
    expect(await fullRunSlicing(pool, redis, keys, SLICES, 400, true)).toEqual({ hash: SLICES })
  })

  it("in hash buckets cut the batches a uuid cursor cuts, and fetch the same rows and signatures by key", async () => {
    const listed: string[] = []
    for (let slice = 0; slice < SLICES; slice++) {
      const byKey = await batchesOf({ hash: SLICES }, slice)
      const byUuid = []
      for await (const b of keyBatches(pool, sliceProductsCursor(false), [SLICES, slice], 50)) byUuid.push(b)
      expect(byKey.map((b) => b.keys)).toEqual(byUuid.map((b) => b.keys))
      listed.push(...listedKeys(byKey))
      for (const [i, b] of byKey.entries()) {
        const [a, u] = await Promise.all([fetchGroups(pool, b), fetchGroups(pool, byUuid[i]!)])
        expect(a.productCount).toBe(byUuid[i]!.uuids.length)
        expect(a.productsJson).toBe(u.productsJson)
        expect(JSON.parse(a.productSigsJson)).toEqual(JSON.parse(u.productSigsJson))
        expect(a.historyRows).toBe(u.historyRows)
      }
    }
    expect(listed.sort()).toEqual((await productKeys()).sort())
  })
})
