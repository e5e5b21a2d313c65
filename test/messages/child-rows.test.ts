import { describe, expect, it } from "vitest"
import type { V3History } from "../../src/mapping/types"
import { MalformedMessageError } from "../../src/messages/fields"
import { historiesMessage } from "../../src/messages/histories"
import { multimediaMessage } from "../../src/messages/multimedia"

const history = (productId: string, date: string): V3History => ({
  id: `${productId}:${date}`, product_id: productId, date, stock: 1, sale_price: 2, suggested_price: 3, sold_units: 0, billing: 0,
  sold_units_last_7_days: 0, sold_units_last_30_days: 0, total_sold_units: 0, billing_last_7_days: 0, billing_last_30_days: 0,
  total_billing: 0, stock_adjustment: false, stock_adjustment_reason: null, filled: false,
})

const tag = { run: "r1", test: false }

describe("child rows on the wire", () => {
  it("carries product ids and dates as runs of consecutive days, no id column, and round-trips every other column by name", () => {
    // 2024 is a leap year: the first run crosses February 29th.
    const rows = [history("p1", "2024-02-28"), history("p1", "2024-02-29"), history("p1", "2024-03-01"), history("p2", "2024-01-01"), history("p1", "2024-03-05")]
    const fields = historiesMessage.fromRows(tag, [["k1", "sig", ["p1", "p2"]]], [["p1", "2024-02-28", "2024-03-05"], ["p2", "2024-01-01", "2024-01-01"]], rows)
    for (const travelsAsRuns of ["c.id", "c.product_id", "c.date"]) expect(fields[travelsAsRuns]).toBeUndefined()
    expect(JSON.parse(fields["runs"]!)).toEqual([["p1", "2024-02-28", 3], ["p2", "2024-01-01", 1], ["p1", "2024-03-05", 1]])
    const m = historiesMessage.decode(fields)
    expect(m.columns).toHaveLength(14)
    const literals = historiesMessage.literals(m)
    expect(literals).toHaveLength(16)
    expect(literals[0]).toBe('{"p1","p1","p1","p2","p1"}')
    expect(literals[1]).toBe('{"2024-02-28","2024-02-29","2024-03-01","2024-01-01","2024-03-05"}')
    expect(literals[2]).toBe(fields["c.stock"])
    expect(historiesMessage.rowsPerProduct(m)).toEqual(new Map([["p1", 4], ["p2", 1]]))
    expect(historiesMessage.decode(historiesMessage.encode(m))).toEqual(m)
  })

  it("refuses an entry whose runs do not add up to its row count, or whose run keys are not dates", () => {
    const fields = historiesMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", "2024-01-01", "2024-01-02"]], [history("p1", "2024-01-01"), history("p1", "2024-01-02")])
    expect(() => historiesMessage.decode({ ...fields, rows: "3" })).toThrow(/runs do not add up to its 3 rows/)
    expect(() => historiesMessage.decode({ ...fields, runs: '[["p1","2024-13-45",2]]' })).toThrow(MalformedMessageError)
    expect(() => historiesMessage.decode({ ...fields, runs: '[["p1",0,2]]' })).toThrow(MalformedMessageError)
  })

  it("refuses an entry with numbered columns (the earlier format) as malformed instead of misreading its columns", () => {
    const fields = historiesMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", "2024-01-01", "2024-01-01"]], [history("p1", "2024-01-01")])
    const numbered: Record<string, string> = { run: "r1", keys: fields["keys"]!, bounds: fields["bounds"]!, rows: "1" }
    numbered["c0"] = '{"p1:2024-01-01"}'
    Object.entries(fields).filter(([k]) => k.startsWith("c.")).forEach(([, v], i) => (numbered[`c${i + 1}`] = v))
    expect(() => historiesMessage.decode(numbered)).toThrow(MalformedMessageError)
    expect(() => historiesMessage.decode(numbered)).toThrow(/lacks column field c\.stock/)
  })

  it("sends multimedia product ids and positions as runs as well, and no id", () => {
    const fields = multimediaMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", 0, 0]], [
      { id: "p1:0", product_id: "p1", position: 0, type: "image", url: "https://x/a.jpg", original_url: "https://x/a.jpg", extracted: false },
    ])
    expect(Object.keys(fields).filter((k) => k.startsWith("c."))).toEqual(["c.type", "c.url", "c.original_url", "c.extracted"])
    expect(JSON.parse(fields["runs"]!)).toEqual([["p1", 0, 1]])
    expect(multimediaMessage.literals(multimediaMessage.decode(fields)).slice(0, 2)).toEqual(['{"p1"}', "{0}"])
  })
})
