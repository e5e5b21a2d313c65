import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import { decodeDeadLetter, encodeDeadLetter } from "../../src/messages/dead-letter"

/** A fixed uuid-shaped id per row: as incompressible as real ones, the same on every run. */
const uuidOf = (i: number) => createHash("md5").update(String(i)).digest("hex").replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-")

/** Dropped history rows as transform dead-letters them: legacy rows as JSON under their group keys. */
function droppedHistories(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => ({
    uuid: uuidOf(i), external_product_id: `${100_000 + (i >> 4)}`, country: "CO", platform: i % 3 ? "dropi" : "Dropi",
    date: `2024-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
    stock: (i * 37) % 500, sale_price: 19_900 + (i % 40) * 1_000, sales_amount: ((i * 13) % 9) * 19_900, sold_units: (i * 13) % 9,
    stock_adjustment: i % 50 === 0, stock_adjustment_reason: i % 50 === 0 ? "inventario" : null,
  }))
  return JSON.stringify({ keys: [...new Set(rows.map((r) => r.external_product_id))], rows })
}

describe("dead letters on the wire", () => {
  it("keeps a large payload deflated hard (under a fifth of its JSON, base64 included), and gives it back whole", () => {
    const payload = droppedHistories(2_000)
    const letter = { stage: "transform" as const, reason: "duplicate", entity: "history", run: "r1", kind: "rows" as const, count: 2_000, payload }
    const fields = encodeDeadLetter(letter)
    expect(fields["payload"]).toBeUndefined()
    // The stream keeps every dropped row for the life of the run: its size is Redis's memory (issue 11).
    // Fastest deflate (level 1) leaves 20.5 % of these rows, level 6 18.9 %; on real letters 35 % and 23 %.
    expect(fields["payload_z"]!.length).toBeLessThan(payload.length * 0.197)
    expect(decodeDeadLetter("1-0", fields)?.payload).toBe(payload)
  })

  it("keeps a small payload as it is", () => {
    const fields = encodeDeadLetter({ stage: "transform", reason: "invalid_price", entity: "product", run: "r1", kind: "rows", count: 1, payload: '{"keys":["k"],"rows":[]}' })
    expect(fields["payload"]).toBe('{"keys":["k"],"rows":[]}')
    expect(fields["payload_z"]).toBeUndefined()
  })
})
