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
  it("carries no id column (the loader derives it from product and key) and round-trips every other column by name", () => {
    const rows = [history("p1", "2024-01-01"), history("p1", "2024-01-02"), history("p2", "2024-01-01")]
    const fields = historiesMessage.fromRows(tag, [["k1", "sig", ["p1", "p2"]]], [["p1", "2024-01-01", "2024-01-02"], ["p2", "2024-01-01", "2024-01-01"]], rows)
    expect(fields["c.id"]).toBeUndefined()
    expect(fields["c.product_id"]).toBe('{"p1","p1","p2"}')
    expect(fields["c.date"]).toBe('{"2024-01-01","2024-01-02","2024-01-01"}')
    const m = historiesMessage.decode(fields)
    expect(m.columns).toHaveLength(16)
    expect(m.columns[0]).toBe(fields["c.product_id"])
    expect(historiesMessage.rowsPerProduct(m)).toEqual(new Map([["p1", 2], ["p2", 1]]))
    expect(historiesMessage.decode(historiesMessage.encode(m))).toEqual(m)
  })

  it("refuses an entry with numbered columns (the earlier format) as malformed instead of misreading its columns", () => {
    const fields = historiesMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", "2024-01-01", "2024-01-01"]], [history("p1", "2024-01-01")])
    const numbered: Record<string, string> = { run: "r1", keys: fields["keys"]!, bounds: fields["bounds"]!, rows: "1" }
    numbered["c0"] = '{"p1:2024-01-01"}'
    Object.entries(fields).filter(([k]) => k.startsWith("c.")).forEach(([, v], i) => (numbered[`c${i + 1}`] = v))
    expect(() => historiesMessage.decode(numbered)).toThrow(MalformedMessageError)
    expect(() => historiesMessage.decode(numbered)).toThrow(/lacks column field c.product_id/)
  })

  it("leaves the multimedia id to the loader as well", () => {
    const fields = multimediaMessage.fromRows(tag, [["k1", null, ["p1"]]], [["p1", 0, 0]], [
      { id: "p1:0", product_id: "p1", position: 0, type: "image", url: "https://x/a.jpg", original_url: "https://x/a.jpg", extracted: false },
    ])
    expect(Object.keys(fields).filter((k) => k.startsWith("c."))).toEqual(["c.product_id", "c.position", "c.type", "c.url", "c.original_url", "c.extracted"])
  })
})
