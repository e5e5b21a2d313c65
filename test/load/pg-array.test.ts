import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { pgArray } from "../../src/messages/pg-array"
import { adminUrl } from "../support/pg"

let client: pg.Client
beforeAll(async () => {
  client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
})
afterAll(async () => {
  await client.end()
})

describe("PostgreSQL array literals built by transform", () => {
  it("round-trip every awkward text exactly, and NULL as NULL", async () => {
    const values = ['a"b', "c\\d", "x,y", "{braces}", " padded ", "", "NULL", "ñandú ✓", "tab\there", "new\nline", null]
    const { rows } = await client.query<{ v: string | null }>("SELECT unnest($1::text[]) AS v", [pgArray(values)])
    expect(rows.map((r) => r.v)).toEqual(values)
  })

  it("round-trip doubles bit for bit, including the shortest and the largest", async () => {
    const values = [0, 0.1, 1 / 3, 123456.789, 1e-300, 1.7976931348623157e308, 5e-324, 2 ** 53 + 2]
    const { rows } = await client.query<{ v: number }>("SELECT unnest($1::float8[]) AS v", [pgArray(values)])
    expect(rows.map((r) => r.v)).toEqual(values)
  })

  it("encodes booleans and dates the way PostgreSQL reads them", async () => {
    const { rows } = await client.query("SELECT unnest($1::boolean[]) AS b, unnest($2::date[])::text AS d", [
      pgArray([true, false]),
      pgArray(["2024-02-29", "2015-01-01"]),
    ])
    expect(rows).toEqual([{ b: true, d: "2024-02-29" }, { b: false, d: "2015-01-01" }])
  })

  it("refuses a non-finite number rather than load something else", () => {
    expect(() => pgArray([Number.NaN])).toThrow("cannot load a non-finite number (NaN)")
  })
})
