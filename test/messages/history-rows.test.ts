import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { copyOut } from "../../src/db/copy"
import { copyHistories, signatureOf, textArray } from "../../src/extract/sql"
import type { LegacyHistory } from "../../src/mapping/types"
import { decodeExtractBatch, encodeExtractBatch } from "../../src/messages/extract-batch"
import { MalformedMessageError } from "../../src/messages/fields"
import { decodeHistoryRows, encodeHistoryRows, historyRowColumns } from "../../src/messages/history-rows"
import { settledConnections } from "../support/leaks"
import { createDatabase, dropDatabase } from "../support/pg"

const row = (key: string, n: number, overrides: Partial<LegacyHistory> = {}): LegacyHistory => ({
  uuid: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, external_product_id: key, country: "CO", platform: "dropi",
  date: "2024-01-01", stock: 10, sale_price: 2.5, sales_amount: 0, sold_units: 0, stock_adjustment: false, stock_adjustment_reason: null,
  ...overrides,
})

/** Keys and values that break a naive reader: COPY's separators and escapes, array-literal quoting, non-ASCII, non-finite floats. */
const awkward: LegacyHistory[] = [
  row("plain", 1),
  row("tab\tkey", 2, { stock_adjustment_reason: "line\nbreak\ttab\\back\rcr", stock_adjustment: true }),
  row('quo"te,{brace}', 3, { country: "ÑÚ ✓", date: "01/02/2024", stock: Number.NaN, sale_price: -0, sales_amount: 1e300, sold_units: 1.5e-7 }),
  row("back\\slash", 4, { stock_adjustment: null, stock_adjustment_reason: "\\N", stock: Number.POSITIVE_INFINITY, sale_price: Number.NEGATIVE_INFINITY }),
  row("plain", 5, { date: "", stock_adjustment_reason: "" }),
  // Values read in place: a key that extends another, repeats of escaped values, whole numbers past 15 digits.
  row("plainer", 6, { stock: -5, sold_units: 1.2345678901234568e20, sale_price: 2 ** 60 }),
  row("back\\slash", 7, { country: "C\\O\tx", stock_adjustment_reason: "\\N" }),
  row("back\\slash", 8, { country: "C\\O\tx", platform: "drop\\i" }),
  row("plain", 9, { platform: "drop\\i" }),
]
/** As json_build_array rendered non-finite float8 (the mapping's input before and after). */
const asMapped = (r: LegacyHistory): LegacyHistory => {
  const out = { ...r } as Record<string, unknown>
  for (const c of ["stock", "sale_price", "sales_amount", "sold_units"] as const) if (!Number.isFinite(r[c])) out[c] = String(r[c])
  return out as unknown as LegacyHistory
}

describe("history rows on the wire", () => {
  it("read back exactly what was written, grouped by key, each key signed by its rows' count and xmin sum", () => {
    const text = encodeHistoryRows(awkward.map((r, i) => ({ ...r, xmin: 4_294_967_000 + i })))
    const { byKey, sigs } = decodeHistoryRows(text, "extract")
    for (const key of new Set(awkward.map((r) => r.external_product_id)))
      expect(byKey.get(key)).toEqual(awkward.filter((r) => r.external_product_id === key).map(asMapped))
    expect(Object.is(byKey.get('quo"te,{brace}')![0]!.sale_price, -0)).toBe(true)
    expect(sigs).toEqual({
      plain: `x3:${4_294_967_000 + 4_294_967_004 + 4_294_967_008}`, plainer: "x1:4294967005", "tab\tkey": "x1:4294967001", 'quo"te,{brace}': "x1:4294967002",
      "back\\slash": `x3:${4_294_967_003 + 4_294_967_006 + 4_294_967_007}`,
    })
  })

  it.each([
    ["a line without all its values", "k\t1\tu\n"],
    ["text that does not end in a newline", encodeHistoryRows([{ ...row("k", 1), xmin: 1 }]).slice(0, -1)],
    ["a NULL in a column the legacy schema declares NOT NULL", "k\t1\tu\t\\N\tdropi\t2024-01-01\t1\t1\t1\t1\tf\t\\N\n"],
    ["a number column holding text", "k\t1\tu\tCO\tdropi\t2024-01-01\tmany\t1\t1\t1\tf\t\\N\n"],
    ["a boolean column holding text", "k\t1\tu\tCO\tdropi\t2024-01-01\t1\t1\t1\t1\tyes\t\\N\n"],
    ["a row without a transaction id", "k\t-\tu\tCO\tdropi\t2024-01-01\t1\t1\t1\t1\tf\t\\N\n"],
  ])("make the whole entry malformed: %s", (_, text) => {
    expect(() => decodeHistoryRows(text, "extract")).toThrow(MalformedMessageError)
  })
})

describe("history rows PostgreSQL writes for extract", () => {
  let db: { name: string; url: string }
  let pool: pg.Pool
  beforeAll(async () => {
    db = await createDatabase("t_hrows")
    pool = new pg.Pool({ connectionString: db.url, max: 1 })
    await pool.query(`CREATE TABLE history (uuid uuid PRIMARY KEY, external_product_id varchar NOT NULL, country varchar NOT NULL, platform varchar NOT NULL,
      date varchar NOT NULL, stock double precision NOT NULL, sale_price double precision NOT NULL, sales_amount double precision NOT NULL,
      sold_units double precision NOT NULL, stock_adjustment boolean, stock_adjustment_reason varchar)`)
    for (const r of awkward)
      await pool.query(`INSERT INTO history (external_product_id, ${historyRowColumns.join(", ")}) VALUES (${historyRowColumns.map((_, i) => `$${i + 1}`).join(", ")}, $11)`, [
        r.external_product_id, ...historyRowColumns.map((c) => (typeof r[c] === "number" && !Number.isFinite(r[c]) ? String(r[c]) : r[c])),
      ])
  })
  afterAll(async () => {
    await pool.end()
    expect(await settledConnections([db.name])).toBe(0)
    await dropDatabase(db.name)
  })

  it("decode to the rows and signatures the earlier JSON form carried, for keys that need quoting in an array literal", async () => {
    const keys = [...new Set(awkward.map((r) => r.external_product_id)), "no rows"]
    const client = await pool.connect()
    try {
      const copied = decodeHistoryRows(await copyOut(client, copyHistories(textArray(keys))), "extract")
      // The form entries had before (src/messages/extract-batch.ts jsonHistories), as the server built it.
      const { rows } = await client.query<{ k: string; sig: string; rows: string }>(`
        SELECT h.external_product_id AS k, ${signatureOf("h.xmin")} AS sig, json_agg(json_build_array(${historyRowColumns.map((c) => `h.${c}`).join(", ")}))::text AS rows
        FROM history h WHERE h.external_product_id = ANY($1::text[]) GROUP BY 1`, [keys])
      const empty = decodeExtractBatch(encodeExtractBatch({ run: "r", test: false, unit: "s0", keys, productsJson: "[]", historyRows: "", productSigsJson: "{}" }))
      expect(empty.histories.size).toBe(0)
      const legacy = decodeExtractBatch({
        run: "r", unit: "s0", keys: JSON.stringify(keys), products: "[]", product_sigs: "{}",
        histories: `{${rows.map((r) => `${JSON.stringify(r.k)}:${r.rows}`).join(",")}}`, history_sigs: JSON.stringify(Object.fromEntries(rows.map((r) => [r.k, r.sig]))),
      })
      const byUuid = (a: LegacyHistory, b: LegacyHistory) => a.uuid.localeCompare(b.uuid)
      expect(copied.byKey.size).toBe(5)
      for (const [k, list] of legacy.histories) expect([...copied.byKey.get(k)!].sort(byUuid)).toEqual([...list].sort(byUuid))
      expect(copied.sigs).toEqual(legacy.historySigs)
    } finally {
      client.release()
    }
  })
})

describe("an extract entry's inert tails", () => {
  it("travel as a list of keys and decode to a set, absent when there are none", () => {
    const base = { run: "r", test: false, unit: "s0", keys: ["a", "b"], productsJson: "[]", historyRows: "", productSigsJson: "{}" }
    const fields = encodeExtractBatch({ ...base, cutsJson: JSON.stringify({ a: "2024-01-02" }), seedsJson: "{}", inertJson: JSON.stringify(["a"]) })
    expect(decodeExtractBatch(fields).inert).toEqual(new Set(["a"]))
    const none = encodeExtractBatch({ ...base, inertJson: "[]" })
    expect(none).not.toHaveProperty("inert")
    expect(decodeExtractBatch(none).inert).toEqual(new Set())
    expect(() => decodeExtractBatch({ ...fields, inert: '{"a":1}' })).toThrow(/inert/)
  })
})
