/**
 * Calendar dates as integers (days since 1970-01-01), so date arithmetic never touches the
 * clock or a time zone. MAPPING.md Histories rule 1 and rule 4.
 */

// Decision, the accepted shapes: 'YYYY-MM-DD', 'DD/MM/YYYY' and an ISO timestamp
// ^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$ whose time part is
// matched for shape only: the first ten characters are the date, no time-zone conversion. All
// three are read by hand below (this runs once per history row); test/mapping/dates.test.ts
// checks the timestamp reader against that pattern.

/** MAPPING.md Histories rule 1: dates before the first or after the second are invalid (minYmd/maxYmd below). */
export const minHistoryDate = "2015-01-01"
export const maxHistoryDate = "2099-12-31"

export function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0")
}

/** A validated calendar date: its 'YYYY-MM-DD' text and day number. */
export interface HistoryDay {
  date: string
  day: number
}

// Digits read with charCodeAt; `\d` in the pattern above is ASCII-only too.
function digits(text: string, from: number, count: number): number {
  let n = 0
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

const isDigits = (text: string, from: number, count: number): boolean => from + count <= text.length && digits(text, from, count) >= 0

/** Whether `text` past its first ten characters is the time part of the timestamp shape above. */
export function isTimestampTail(text: string): boolean {
  const sep = text.charCodeAt(10)
  // [T ]\d{2}:\d{2}
  if ((sep !== 84 && sep !== 32) || !isDigits(text, 11, 2) || text.charCodeAt(13) !== 58 || !isDigits(text, 14, 2)) return false
  let i = 16
  // (:\d{2}(\.\d+)?)?
  if (text.charCodeAt(i) === 58) {
    if (!isDigits(text, i + 1, 2)) return false
    i += 3
    if (text.charCodeAt(i) === 46) {
      if (!isDigits(text, i + 1, 1)) return false
      i += 2
      while (isDigits(text, i, 1)) i++
    }
  }
  if (i === text.length) return true
  // (Z|[+-]\d{2}(:?\d{2})?)?$
  const zone = text.charCodeAt(i)
  if (zone === 90) return i + 1 === text.length
  if ((zone !== 43 && zone !== 45) || !isDigits(text, i + 1, 2)) return false
  i += 3
  if (i === text.length) return true
  if (text.charCodeAt(i) === 58) i++
  return isDigits(text, i, 2) && i + 2 === text.length
}

// The smallest and greatest accepted dates as the number y·10000 + m·100 + d.
const minYmd = 20150101
const maxYmd = 20991231

function validDay(y: number, m: number, d: number): number | null {
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null
  const ymd = y * 10000 + m * 100 + d
  return ymd < minYmd || ymd > maxYmd ? null : daysFromCivil(y, m, d)
}

/**
 * MAPPING.md Histories rule 1: 'YYYY-MM-DD', an ISO timestamp (its first ten characters) or
 * 'DD/MM/YYYY'. Decision: no trimming. Anything else, an impossible calendar date, a date
 * before 2015-01-01 or after 2099-12-31 → null (`invalid_date`). The upper bound also caps gap
 * filling at about 31,000 rows per product.
 */
export function parseHistoryDay(raw: unknown): HistoryDay | null {
  if (typeof raw !== "string" || raw.length < 10) return null
  if (raw.charCodeAt(4) === 45 && raw.charCodeAt(7) === 45) {
    if (raw.length > 10 && !isTimestampTail(raw)) return null
    const day = validDay(digits(raw, 0, 4), digits(raw, 5, 2), digits(raw, 8, 2))
    return day === null ? null : { date: raw.slice(0, 10), day }
  }
  if (raw.length === 10 && raw.charCodeAt(2) === 47 && raw.charCodeAt(5) === 47) {
    const day = validDay(digits(raw, 6, 4), digits(raw, 3, 2), digits(raw, 0, 2))
    return day === null ? null : { date: `${raw.slice(6, 10)}-${raw.slice(3, 5)}-${raw.slice(0, 2)}`, day }
  }
  return null
}

/** The day after maxHistoryDate: a cut no accepted date reaches. */
export const pastLastHistoryDate = "2100-01-01"

/**
 * The first date rule 1 accepts whose 'YYYY-MM-DD' is not below `text` (code-unit order, as
 * COLLATE "C" compares), or pastLastHistoryDate; null reads as past every date. Extract sends a
 * tail's legacy rows by a text comparison with the earliest added row's date written as
 * 'YYYY-MM-DD' (src/extract/sql.ts); this is the date v3 is cut at for the same rows.
 */
export function firstDateNotBefore(text: string | null): string {
  if (text === null || text > maxHistoryDate) return pastLastHistoryDate
  if (text <= minHistoryDate) return minHistoryDate
  if (parseHistoryDay(text)?.date === text) return text
  // Rare (the earliest added row's date is itself invalid): the first day of the first year
  // that reaches `text`, then day by day.
  let year = 2015
  while (`${year}-12-31` < text) year++
  for (let day = daysFromCivil(year, 1, 1); ; day++) {
    const date = dateOfDay(day)
    if (date >= text) return date
  }
}

/** parseHistoryDay's 'YYYY-MM-DD', or null. */
export function parseHistoryDate(raw: unknown): string | null {
  return parseHistoryDay(raw)?.date ?? null
}

/** Days since 1970-01-01 of a valid 'YYYY-MM-DD'. */
export function dayNumber(date: string): number {
  return daysFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)))
}

/** Days since 1970-01-01 of a valid calendar date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** 'YYYY-MM-DD' of a day number (H. Hinnant's civil_from_days); inverse of dayNumber. */
export function dateOfDay(day: number): string {
  const z = day + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`
}

/** A legacy `date` column ('YYYY-MM-DD') as a v3 timestamp(3) value at 00:00:00 (MAPPING.md products). */
export function midnight(date: string): string {
  return `${date.slice(0, 10)} 00:00:00`
}
