import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { copyRowsIn } from "../../src/db/copy"
import { copyLines, type Scalar } from "../../src/messages/copy-text"
import { adminUrl } from "../support/pg"

let pool: pg.Pool
let client: pg.PoolClient
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: adminUrl, max: 1 })
  client = await pool.connect()
})
afterAll(async () => {
  client.release()
  await pool.end()
})

/** Copies `values` as one column of type `type` into a temporary table and reads them back in order. */
async function roundTrip(type: string, values: Scalar[]): Promise<unknown[]> {
  await client.query(`DROP TABLE IF EXISTS pg_temp.c; CREATE TEMP TABLE c (n int, v ${type})`)
  const copied = await copyRowsIn(client, "COPY c (n, v) FROM STDIN", [copyLines(values.length, 2, (r, c) => (c === 0 ? r : values[r]!))])
  expect(copied).toBe(values.length)
  return (await client.query(`SELECT v${type === "date" ? "::text" : ""} AS v FROM c ORDER BY n`)).rows.map((r) => r.v)
}

describe("rows in COPY's text format, built by transform", () => {
  it("round-trip every awkward text exactly, and NULL as NULL", async () => {
    const values = ['a"b', "c\\d", "x,y", "{braces}", " padded ", "", "NULL", "\\N", "ñandú ✓", "tab\there", "new\nline", "cr\rhere", null]
    expect(await roundTrip("text", values)).toEqual(values)
  })

  it("round-trip doubles bit for bit, including the shortest and the largest", async () => {
    const values = [0, 0.1, 1 / 3, 123456.789, 1e-300, 1.7976931348623157e308, 5e-324, 2 ** 53 + 2, 0.1]
    expect(await roundTrip("float8", values)).toEqual(values)
  })

  it("encode booleans and dates the way PostgreSQL reads them", async () => {
    expect(await roundTrip("boolean", [true, true, false, null])).toEqual([true, true, false, null])
    expect(await roundTrip("date", ["2024-02-29", "2015-01-01"])).toEqual(["2024-02-29", "2015-01-01"])
  })

  it("refuse a non-finite number rather than load something else", () => {
    expect(() => copyLines(1, 1, () => Number.NaN)).toThrow("cannot load a non-finite number (NaN)")
  })

  it("fail the COPY with the server's data error when a line does not fit its column", async () => {
    await client.query("DROP TABLE IF EXISTS pg_temp.c; CREATE TEMP TABLE c (v float8)")
    await expect(copyRowsIn(client, "COPY c (v) FROM STDIN", ["1\n", "not a number\n"])).rejects.toMatchObject({ code: "22P02" })
    expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }])
  })
})
