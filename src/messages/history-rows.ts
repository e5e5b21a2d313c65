import type { LegacyHistory, LegacyNumber } from "../mapping/types"
import { copyLines, copyValue } from "./copy-text"
import { MalformedMessageError } from "./fields"

/**
 * The legacy history rows of an extract entry, in COPY's text format (src/messages/copy-text.ts):
 * one line per row, its key (external_product_id), its xmin, then `historyRowColumns`.
 * PostgreSQL writes this text itself (`COPY (SELECT …) TO STDOUT`, src/extract/sql.ts) and
 * extract publishes it unread; transform decodes it here. Against each group's rows as a JSON
 * array (`json_agg(json_build_array(…))`), the server spends less than half the CPU on a batch
 * and the entry is 14 % smaller (docs/DECISIONS.md 46).
 */
export const historyRowColumns = [
  "uuid", "country", "platform", "date", "stock", "sale_price", "sales_amount", "sold_units", "stock_adjustment", "stock_adjustment_reason",
] as const

const WIDTH = historyRowColumns.length + 2

/** The rows by key, and each key's change signature computed from its rows' xmin. */
export interface HistoryRows {
  byKey: Map<string, LegacyHistory[]>
  sigs: Record<string, string>
}

interface Group {
  key: string
  /** The key reads as itself in the text (no escapes): a row's key can be compared in place. */
  plain: boolean
  rows: LegacyHistory[]
  count: number
  sum: number
}

/**
 * The rows of `text`, checked: a line without its twelve values, a NULL where the legacy schema
 * forbids one, or a value of the wrong type makes the whole entry malformed. A key's signature
 * is src/extract/sql.ts signatureOf over the rows sent: 'x', their count, ':', the sum of their
 * xmins (below 2^53 for any group of fewer than two million rows, so exact as a number).
 *
 * Read in place, value by value, rather than split into strings: a split makes a string per
 * value, each a view into the entry's text, and the mapping then read each row's key, country,
 * platform and date 2.2–2.4 × slower than the shared strings JSON.parse makes (docs/DECISIONS.md
 * 46). Here a key, country, platform or date is one string for all its rows, and a number is
 * read from its digits.
 */
export function decodeHistoryRows(text: string, what: string): HistoryRows {
  const groups = new Map<string, Group>()
  const country = new Column()
  const platform = new Column()
  const date = new Column()
  const at = new Int32Array(WIDTH + 1)
  let group: Group | undefined
  let line = 0
  try {
    for (let start = 0; start < text.length; line++) {
      const end = text.indexOf("\n", start)
      if (end === -1) throw new BadLine("does not end in a newline")
      // at[i] is where value i starts; at[WIDTH] one past the line's newline.
      at[0] = start
      for (let i = 1; i < WIDTH; i++) {
        const tab = text.indexOf("\t", at[i - 1]!)
        if (tab === -1 || tab > end) throw new BadLine(`has ${i} values, not ${WIDTH}`)
        at[i] = tab + 1
      }
      at[WIDTH] = end + 1
      const extra = text.indexOf("\t", at[WIDTH - 1]!)
      if (extra !== -1 && extra < end) throw new BadLine(`has more than ${WIDTH} values`)
      start = end + 1
      const v = (i: number) => text.slice(at[i]!, at[i + 1]! - 1)
      if (group === undefined || !group.plain || !same(text, at[0]!, at[1]! - 1, group.key)) {
        const raw = v(0)
        group = groups.get(raw)
        if (group === undefined) {
          const key = own(required(raw))
          group = { key, plain: key === raw, rows: [], count: 0, sum: 0 }
          groups.set(raw, group)
        }
      }
      const xmin = wholeNumber(text, at[1]!, at[2]! - 1)
      if (!(xmin >= 0 && xmin <= 0xffffffff)) throw new BadLine("has no transaction id (xmin)")
      group.rows.push({
        uuid: required(v(2)),
        external_product_id: group.key,
        country: country.at(text, at[3]!, at[4]! - 1),
        platform: platform.at(text, at[4]!, at[5]! - 1),
        date: date.at(text, at[5]!, at[6]! - 1),
        stock: float8(text, at[6]!, at[7]! - 1),
        sale_price: float8(text, at[7]!, at[8]! - 1),
        sales_amount: float8(text, at[8]!, at[9]! - 1),
        sold_units: float8(text, at[9]!, at[10]! - 1),
        stock_adjustment: bool(text, at[10]!, at[11]! - 1),
        stock_adjustment_reason: isNull(text, at[11]!, at[12]! - 1) ? null : copyValue(v(11)),
      })
      group.count += 1
      group.sum += xmin
    }
  } catch (err) {
    if (err instanceof BadLine) throw new MalformedMessageError(`${what} entry field 'history_rows': line ${line + 1} ${err.message}`)
    throw err
  }
  const byKey = new Map<string, LegacyHistory[]>()
  const sigs: Record<string, string> = {}
  for (const g of groups.values()) {
    byKey.set(g.key, g.rows)
    sigs[g.key] = `x${g.count}:${g.sum}`
  }
  return { byKey, sigs }
}

/** The wire text of `rows` (tests and tools; extract has PostgreSQL write it). */
export function encodeHistoryRows(rows: readonly (LegacyHistory & { xmin: number })[]): string {
  return copyLines(rows.length, WIDTH, (r, c) => {
    const row = rows[r]!
    if (c === 0) return row.external_product_id
    if (c === 1) return row.xmin
    const v = row[historyRowColumns[c - 2]!]
    // Non-finite float8 and -0 travel as PostgreSQL writes them.
    return typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? (Object.is(v, -0) ? "-0" : String(v)) : v
  })
}

/** A column whose rows repeat a handful of values: one string per value, the last one tried first. */
class Column {
  private readonly seen = new Map<string, string>()
  private last: string | undefined

  at(text: string, from: number, to: number): string {
    if (this.last !== undefined && same(text, from, to, this.last)) return this.last
    const raw = text.slice(from, to)
    let v = this.seen.get(raw)
    if (v === undefined) {
      v = own(required(raw))
      this.seen.set(raw, v)
    }
    // Compared in place next time only when it reads as itself there (no escapes).
    this.last = v === raw ? v : undefined
    return v
  }
}

/** Whether text[from, to) is `value`, character for character. */
const same = (text: string, from: number, to: number, value: string) => to - from === value.length && text.startsWith(value, from)

/** `text` as a string of its own, not a view into the entry's text. */
const own = (text: string): string => JSON.parse(JSON.stringify(text)) as string

/** What is wrong with a line; decodeHistoryRows adds where. */
class BadLine extends Error {}

function required(field: string): string {
  // Most values hold no backslash, so are neither NULL nor escaped.
  if (!field.includes("\\")) return field
  const v = copyValue(field)
  if (v === null) throw new BadLine("has a NULL where the legacy schema forbids one")
  return v
}

const isNull = (text: string, from: number, to: number) => to - from === 2 && text.charCodeAt(from) === 92 && text.charCodeAt(from + 1) === 78

/** A whole number written in plain digits, or NaN. */
function wholeNumber(text: string, from: number, to: number): number {
  if (to === from || to - from > 15) return Number.NaN
  let n = 0
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    n = n * 10 + d
  }
  return n
}

/** float8 as json_build_array rendered it: a number, or the text of NaN and the infinities. */
function float8(text: string, from: number, to: number): LegacyNumber {
  // Most figures are whole: read from their digits, without a string.
  const whole = text.charCodeAt(from) === 45 ? -wholeNumber(text, from + 1, to) : wholeNumber(text, from, to)
  if (whole === whole) return whole
  const field = text.slice(from, to)
  const n = +field
  if (n - n === 0 && field !== "") return n
  if (field === "NaN" || field === "Infinity" || field === "-Infinity") return field
  throw new BadLine(`has '${field}' where a number belongs`)
}

function bool(text: string, from: number, to: number): boolean | null {
  if (to - from === 1) {
    const c = text.charCodeAt(from)
    if (c === 116) return true
    if (c === 102) return false
  }
  if (isNull(text, from, to)) return null
  throw new BadLine(`has '${text.slice(from, to)}' where true or false belongs`)
}
