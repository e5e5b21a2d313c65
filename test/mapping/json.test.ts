import { describe, expect, it } from "vitest"
import { readJsonb } from "../../src/mapping"

describe("readJsonb: jsonb that is the value, or a JSON string holding it (one level)", () => {
  it.each([
    ["an array as is", [{ name: "Hogar" }], [{ name: "Hogar" }]],
    ["an object as is", { a: 1 }, { a: 1 }],
    ["a number as is", 5, 5],
    ["null as is", null, null],
    ["a double-encoded array", '[{"name":"Hogar"}]', [{ name: "Hogar" }]],
    ["a double-encoded object", '{"a":1}', { a: 1 }],
    ["only one level of encoding", JSON.stringify('{"a":1}'), '{"a":1}'],
  ])("reads %s", (_label, raw, expected) => {
    expect(readJsonb(raw)).toEqual({ ok: true, value: expected })
  })

  it.each([["not json"], ["{broken"], [""]])("reports the string %j as unparsable", (raw) => {
    expect(readJsonb(raw)).toEqual({ ok: false, text: raw })
  })
})
