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

/**
 * The rows of `text`, checked: a line without its twelve values, a NULL where the legacy schema
 * forbids one, or a value of the wrong type makes the whole entry malformed. A key's signature
 * is src/extract/sql.ts signatureOf over the rows sent: 'x', their count, ':', the sum of their
 * xmins (below 2^53 for any group of fewer than two million rows, so exact as a number).
 */
export function decodeHistoryRows(text: string, what: string): HistoryRows {
  const groups = new Map<string, { rows: LegacyHistory[]; count: number; sum: number }>()
  let line = 0
  try {
    for (let at = 0; at < text.length; line++) {
      const end = text.indexOf("\n", at)
      if (end === -1) throw new BadLine("does not end in a newline")
      const f = text.slice(at, end).split("\t")
      at = end + 1
      if (f.length !== WIDTH) throw new BadLine(`has ${f.length} values, not ${WIDTH}`)
      const key = required(f[0]!)
      const xmin = +f[1]!
      if (!(Number.isSafeInteger(xmin) && xmin >= 0 && xmin <= 0xffffffff)) throw new BadLine("has no transaction id (xmin)")
      const row: LegacyHistory = {
        uuid: required(f[2]!),
        external_product_id: key,
        country: required(f[3]!),
        platform: required(f[4]!),
        date: required(f[5]!),
        stock: float8(f[6]!),
        sale_price: float8(f[7]!),
        sales_amount: float8(f[8]!),
        sold_units: float8(f[9]!),
        stock_adjustment: bool(f[10]!),
        stock_adjustment_reason: copyValue(f[11]!),
      }
      const group = groups.get(key)
      if (group === undefined) groups.set(key, { rows: [row], count: 1, sum: xmin })
      else {
        group.rows.push(row)
        group.count += 1
        group.sum += xmin
      }
    }
  } catch (err) {
    if (err instanceof BadLine) throw new MalformedMessageError(`${what} entry field 'history_rows': line ${line + 1} ${err.message}`)
    throw err
  }
  const byKey = new Map<string, LegacyHistory[]>()
  const sigs: Record<string, string> = {}
  for (const [key, g] of groups) {
    byKey.set(key, g.rows)
    sigs[key] = `x${g.count}:${g.sum}`
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

/** What is wrong with a line; decodeHistoryRows adds where. */
class BadLine extends Error {}

function required(field: string): string {
  // Most values hold no backslash, so are neither NULL nor escaped.
  if (!field.includes("\\")) return field
  const v = copyValue(field)
  if (v === null) throw new BadLine("has a NULL where the legacy schema forbids one")
  return v
}

/** float8 as json_build_array rendered it: a number, or the text of NaN and the infinities. */
function float8(field: string): LegacyNumber {
  const n = +field
  if (n - n === 0 && field !== "") return n
  if (field === "NaN" || field === "Infinity" || field === "-Infinity") return field
  throw new BadLine(`has '${field}' where a number belongs`)
}

function bool(field: string): boolean | null {
  if (field === "t") return true
  if (field === "f") return false
  if (field === "\\N") return null
  throw new BadLine(`has '${field}' where true or false belongs`)
}
