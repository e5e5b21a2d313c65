import type { LegacyNumber } from "./types"

// A numeric string as PostgreSQL would print a finite double precision value.
const numericText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/**
 * A legacy double precision value as a number. PostgreSQL's to_json renders NaN and the
 * infinities as the strings "NaN", "Infinity", "-Infinity"; finite values are JSON numbers.
 * Anything that is not a number (null, other text) reads as NaN, i.e. a bad number.
 */
export function toNumber(value: LegacyNumber | null | undefined): number {
  if (typeof value === "number") return value
  if (typeof value !== "string") return Number.NaN
  switch (value) {
    case "NaN":
      return Number.NaN
    case "Infinity":
      return Number.POSITIVE_INFINITY
    case "-Infinity":
      return Number.NEGATIVE_INFINITY
    default:
      return numericText.test(value) ? Number(value) : Number.NaN
  }
}

/** MAPPING.md: a bad number is NaN, ±Infinity, or negative. */
export function isBadNumber(value: number): boolean {
  return !Number.isFinite(value) || value < 0
}

/** MAPPING.md "copied, a bad number → 0". */
export function orZero(value: LegacyNumber | null | undefined): number {
  const n = toNumber(value)
  return isBadNumber(n) ? 0 : n
}

/** The largest v3 `integer` (PostgreSQL int4). */
export const INT4_MAX = 2147483647

/** MAPPING.md variations_amount: rounded to the nearest integer, halves up (2.5 → 3, 0.5 → 1). */
export function roundHalfUp(value: number): number {
  return Math.floor(value + 0.5)
}
