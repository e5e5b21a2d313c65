import { describe, expect, it } from "vitest"
import type { V3History } from "../../src/mapping/types"
import { MalformedMessageError } from "../../src/messages/fields"
import { historiesMessage } from "../../src/messages/histories"
import { multimediaMessage } from "../../src/messages/multimedia"

const history = (productId: string, date: string, soldUnits = 0): V3History => ({
  id: `${productId}:${date}`, product_id: productId, date, stock: 1, sale_price: 2, suggested_price: 3, sold_units: soldUnits, billing: 0,
  sold_units_last_7_days: 0, sold_units_last_30_days: 0, total_sold_units: 0, billing_last_7_days: 0, billing_last_30_days: 0,
  total_billing: 0, stock_adjustment: false, stock_adjustment_reason: null, filled: false,
})

const tag = { run: "r1", test: false }

describe("child rows on the wire", () => {
  it("carries product ids and dates as runs of consecutive days and every other column as COPY text, and the loader rebuilds whole rows", () => {
    // 2024 is a leap year: the first run crosses February 29th.
    const rows = [history("p1", "2024-02-28", 5), history("p1", "2024-02-29"), history("p1", "2024-03-01"), history("p2", "2024-01-01"), history("p1", "2024-03-05")]
    const fields = historiesMessage.fromRows(tag, [["k1", "sig", ["p1", "p2"]]], [["p1", "2024-02-28", "2024-03-05"], ["p2", "2024-01-01", "2024-01-01"]], rows)
    expect(JSON.parse(fields["runs"]!)).toEqual([["p1", "2024-02-28", 3], ["p2", "2024-01-01", 1], ["p1", "2024-03-05", 1]])
    // No id, product_id or date on a line: 14 columns, the first line's sold_units (5) in 4th place.
    expect(fields["copy"]!.split("\n")[0]).toBe("1\t2\t3\t5\t0\t0\t0\t0\t0\t0\t0\tf\t\\N\tf")
    const m = historiesMessage.decode(fields)
    expect(historiesMessage.copyColumns.slice(0, 4)).toEqual(["id", "product_id", "date", "stock"])
    expect(historiesMessage.copyText(m).join("").split("\n").slice(0, 5).map((l) => l.split("\t").slice(0, 3))).toEqual([
      ["p1:2024-02-28", "p1", "2024-02-28"], ["p1:2024-02-29", "p1", "2024-02-29"], ["p1:2024-03-01", "p1", "2024-03-01"],
      ["p2:2024-01-01", "p2", "2024-01-01"], ["p1:2024-03-05", "p1", "2024-03-05"],
    ])
    expect(historiesMessage.copyText(m, new Set(["p2"]))).toEqual(["p2:2024-01-01\tp2\t2024-01-01\t1\t2\t3\t0\t0\t0\t0\t0\t0\t0\t0\tf\t\\N\tf\n"])
    expect(historiesMessage.copyText(m, new Set(["p3"]))).toEqual([])
    expect(historiesMessage.rowsPerProduct(m)).toEqual(new Map([["p1", 4], ["p2", 1]]))
    expect(historiesMessage.decode(historiesMessage.encode(m))).toEqual(m)
  })

  it("narrows an entry to some products' rows and bounds, for re-queuing only the rows still waiting", () => {
    const rows = [history("p1", "2024-02-28", 5), history("p1", "2024-02-29"), history("p2", "2024-01-01", 7), history("p3", "2024-01-01")]
    const m = historiesMessage.decode(historiesMessage.fromRows(tag, [["k1", null, ["p1", "p2", "p3"]]], [["p1", "2024-02-28", "2024-02-29"], ["p2", "2024-01-01", "2024-01-01"], ["p3", "2024-01-01", "2024-01-01"], ["p4", null, null]], rows))
    const narrow = historiesMessage.decode(historiesMessage.encode(historiesMessage.narrow(m, new Set(["p2", "p4"]))))
    expect(narrow.rows).toBe(1)
    expect(narrow.bounds).toEqual([["p2", "2024-01-01", "2024-01-01"], ["p4", null, null]])
    expect(historiesMessage.copyText(narrow)).toEqual(historiesMessage.copyText(m, new Set(["p2"])))
    expect(historiesMessage.narrow(m, new Set(["p4"]))).toMatchObject({ rows: 0, runs: [], copy: "" })
  })

  it("hands a large entry's rows to the loader in chunks of whole lines", () => {
    const rows = Array.from({ length: 3000 }, (_, i) => history("p1", new Date(Date.UTC(2015, 0, 1 + i)).toISOString().slice(0, 10), i))
    const m = historiesMessage.decode(historiesMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", rows[0]!.date, rows.at(-1)!.date]], rows))
    const chunks = historiesMessage.copyText(m)
    expect(chunks.length).toBeGreaterThan(1)
    for (const c of chunks) expect(c.endsWith("\n")).toBe(true)
    const lines = chunks.join("").split("\n").slice(0, -1)
    expect(lines).toHaveLength(3000)
    expect(lines[2999]!.split("\t").slice(0, 3)).toEqual([`p1:${rows[2999]!.date}`, "p1", rows[2999]!.date])
  })

  it("refuses an entry whose runs or lines do not add up to its row count, or whose run keys are not dates", () => {
    const fields = historiesMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", "2024-01-01", "2024-01-02"]], [history("p1", "2024-01-01"), history("p1", "2024-01-02")])
    expect(() => historiesMessage.decode({ ...fields, runs: '[["p1","2024-01-01",3]]' })).toThrow(/runs do not add up to its 2 rows/)
    expect(() => historiesMessage.decode({ ...fields, rows: "3" })).toThrow(/does not hold 3 lines of 14 columns/)
    expect(() => historiesMessage.decode({ ...fields, copy: fields["copy"]!.replace("\t", "") })).toThrow(/does not hold 2 lines/)
    expect(() => historiesMessage.decode({ ...fields, runs: '[["p1","2024-13-45",2]]' })).toThrow(MalformedMessageError)
    expect(() => historiesMessage.decode({ ...fields, runs: '[["p1",0,2]]' })).toThrow(MalformedMessageError)
  })

  it("refuses an entry of another column list (an earlier release's array literals) as malformed instead of misreading it", () => {
    const fields = historiesMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", "2024-01-01", "2024-01-01"]], [history("p1", "2024-01-01")])
    const earlier: Record<string, string> = { run: "r1", keys: fields["keys"]!, bounds: fields["bounds"]!, rows: "1", runs: fields["runs"]!, "c.stock": "{1}" }
    expect(() => historiesMessage.decode(earlier)).toThrow(MalformedMessageError)
    expect(() => historiesMessage.decode({ ...fields, columns: "stock,sale_price" })).toThrow(/columns are not stock,sale_price,suggested_price/)
  })

  it("sends multimedia product ids and positions as runs as well, escapes what COPY would misread, and derives the id", () => {
    const fields = multimediaMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", 0, 0]], [
      { id: "p1:0", product_id: "p1", position: 0, type: "image", url: "https://x/a\tb.jpg", original_url: "https://x/a\\b.jpg", extracted: false },
    ])
    expect(fields["columns"]).toBe("type,url,original_url,extracted")
    expect(JSON.parse(fields["runs"]!)).toEqual([["p1", 0, 1]])
    expect(multimediaMessage.copyText(multimediaMessage.decode(fields))).toEqual(["p1:0\tp1\t0\timage\thttps://x/a\\tb.jpg\thttps://x/a\\\\b.jpg\tf\n"])
  })
})
