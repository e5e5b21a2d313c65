import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { dateOfDay, dayNumber, parseHistoryDate, parseHistoryDay } from "../../src/mapping"
import { isTimestampTail } from "../../src/mapping/dates"

// The accepted ISO timestamp shape as DECISIONS.md item 8 states it; the mapping reads it by hand.
const timestampShape = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/

describe("MAPPING.md Histories rule 1: dates", () => {
  it.each([
    ["2024-03-05", "2024-03-05"],
    ["2015-01-01", "2015-01-01"],
    ["2024-02-29", "2024-02-29"],
    ["2024-03-05T10:20:30.123Z", "2024-03-05"],
    ["2024-03-05T23:59:59-05:00", "2024-03-05"],
    ["2024-03-05 10:20", "2024-03-05"],
    ["2024-03-05T10:20:30+0200", "2024-03-05"],
    ["2024-03-05T10:20:30+02", "2024-03-05"],
    ["2024-03-05T00:30:00+05:00", "2024-03-05"],
    ["05/03/2024", "2024-03-05"],
    ["29/02/2024", "2024-02-29"],
    ["31/12/2099", "2099-12-31"],
    ["2099-01-01", "2099-01-01"],
  ])("reads %j as %j", (raw, expected) => {
    expect(parseHistoryDate(raw)).toBe(expected)
  })

  it.each([
    ["an impossible day (Feb 30)", "2024-02-30"],
    ["Feb 29 in a non-leap year", "2023-02-29"],
    ["Feb 29 in 1900-style century years", "2100-02-29"],
    ["month 13", "2024-13-01"],
    ["month 00", "2024-00-10"],
    ["day 00", "2024-01-00"],
    ["April 31", "31/04/2024"],
    ["DD/MM month 13", "01/13/2024"],
    ["a date before 2015-01-01", "2014-12-31"],
    ["a DD/MM/YYYY date before 2015", "31/12/2014"],
    ["a timestamp before 2015", "2014-12-31T23:59:59Z"],
    ["a leap day before 2015", "2000-02-29T00:00"],
    ["a date after 2099-12-31", "2100-01-01"],
    ["a DD/MM/YYYY date after 2099", "01/01/2100"],
    ["a timestamp after 2099", "2100-01-01T00:00:00Z"],
    ["a far-future date", "9999-12-31"],
    ["surrounding whitespace (no trimming)", " 2024-03-05"],
    ["a trailing space", "2024-03-05 "],
    ["a timestamp with a bad zone", "2024-03-05T10:20:30 UTC"],
    ["a timestamp without minutes", "2024-03-05T10"],
    ["a single-digit month", "2024-3-05"],
    ["D/M/YYYY", "5/3/2024"],
    ["MM-DD-YYYY", "03-05-2024"],
    ["YYYY/MM/DD", "2024/03/05"],
    ["garbage", "ayer"],
    ["an empty string", ""],
    ["non-ASCII digits", "٢٠٢٤-03-05"],
  ])("rejects %s (%j) as invalid_date", (_label, raw) => {
    expect(parseHistoryDate(raw)).toBeNull()
  })

  it("counts days as integers across month, year and leap-day boundaries", () => {
    expect(dayNumber("1970-01-01")).toBe(0)
    expect(dayNumber("2024-03-01") - dayNumber("2024-02-28")).toBe(2)
    expect(dayNumber("2023-03-01") - dayNumber("2023-02-28")).toBe(1)
    expect(dayNumber("2025-01-01") - dayNumber("2024-12-31")).toBe(1)
    expect(parseHistoryDay("01/03/2024")).toEqual({ date: "2024-03-01", day: dayNumber("2024-03-01") })
    for (let day = dayNumber("2015-01-01"); day < dayNumber("2030-01-01"); day += 17) {
      expect(dayNumber(dateOfDay(day))).toBe(day)
    }
  })
  it("reads the time part of a timestamp exactly as the documented pattern does", () => {
    // Tails built from the pattern's own pieces, so near-misses (a missing digit, a stray
    // colon, a zone without minutes) are common, not just random noise.
    const piece = fc.constantFrom("T", " ", "0", "1", "9", "12", "59", ":", ".", "Z", "+", "-", "x", "٢")
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (parts) => {
        const text = `2024-03-05${parts.join("")}`
        if (text.length === 10) return
        expect(isTimestampTail(text)).toBe(timestampShape.test(text))
      }),
      { numRuns: 20_000 },
    )
    for (const text of ["2024-03-05T10:20:30.123Z", "2024-03-05T10:20:30.Z", "2024-03-05T10:20+02:", "2024-03-05T10:20+020", "2024-03-05 10:20:3"]) {
      expect(isTimestampTail(text), text).toBe(timestampShape.test(text))
    }
  })
})
