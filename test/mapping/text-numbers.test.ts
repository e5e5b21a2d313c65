import { describe, expect, it } from "vitest"
import { isBadNumber, normalizeText, orZero, roundHalfUp, toNumber, trimToNull, variationsAmount } from "../../src/mapping"

describe("normalizeText (MAPPING.md Normalizing text)", () => {
  it.each([
    ["  Lámpara  ", "Lámpara"],
    ["a   b", "a b"],
    ["a\t\n b", "a b"],
    ["\u00a0a\u00a0\u00a0b\u00a0", "a b"],
    ["   ", ""],
    ["", ""],
  ])("normalizes %j to %j", (input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })
})

describe("trimToNull", () => {
  it.each([
    ["  x  y ", "x  y"],
    ["   ", null],
    ["", null],
    [null, null],
  ])("trims %j to %j without collapsing inner whitespace", (input, expected) => {
    expect(trimToNull(input)).toBe(expected)
  })
})

describe("toNumber reads PostgreSQL's to_json rendering of double precision", () => {
  it.each([
    [12.5, 12.5],
    [-3, -3],
    [0, 0],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["1e3", 1000],
  ])("reads %j as %d", (input, expected) => {
    expect(toNumber(input)).toBe(expected)
  })
  it.each([["NaN"], ["abc"], [""], [null], [undefined]])("reads %j as NaN", (input) => {
    expect(toNumber(input)).toBeNaN()
  })
})

describe("isBadNumber (MAPPING.md: NaN, ±Infinity or negative)", () => {
  it.each([
    [Number.NaN, true],
    [Number.POSITIVE_INFINITY, true],
    [Number.NEGATIVE_INFINITY, true],
    [-0.01, true],
    [-5, true],
    [0, false],
    [0.01, false],
    [1e300, false],
  ])("says %d is bad: %s", (input, expected) => {
    expect(isBadNumber(input)).toBe(expected)
  })
})

describe("orZero replaces a bad number with 0", () => {
  it.each([
    ["NaN", 0],
    ["Infinity", 0],
    ["-Infinity", 0],
    [-1, 0],
    [3.25, 3.25],
    [0, 0],
  ])("maps %j to %d", (input, expected) => {
    expect(orZero(input)).toBe(expected)
  })
})

describe("roundHalfUp and variations_amount (MAPPING.md: halves up, bad → 0)", () => {
  it.each([
    [2.5, 3],
    [3.5, 4],
    [2.4, 2],
    [0.5, 1],
    [0.49, 0],
    [7, 7],
  ])("rounds %d to %d", (input, expected) => {
    expect(roundHalfUp(input)).toBe(expected)
    expect(variationsAmount(input)).toBe(expected)
  })
  it.each([["NaN"], ["Infinity"], ["-Infinity"], [-2.5]])("maps bad variations_amount %j to 0", (input) => {
    expect(variationsAmount(input)).toBe(0)
  })
  it.each([
    [2147483647, 2147483647],
    [2147483646.5, 2147483647],
    [2147483647.5, 0],
    [2147483648, 0],
    [1e12, 0],
    ["1e300", 0],
  ])("keeps variations_amount %j within integer range, else 0 (MAPPING.md: beyond integer is a bad number)", (input, expected) => {
    expect(variationsAmount(input)).toBe(expected)
  })
})
