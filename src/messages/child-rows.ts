import { type Column, wireColumns } from "./columns"
import { copyField, copyLines, countOf } from "./copy-text"
import { type Fields, integer, isArrayOf, isString, isStringArray, json, MalformedMessageError, runFields, type RunTag, runTag, text } from "./fields"
import { isRun, type Run, type RunKey, rowsPerRun, runsOf } from "./runs"

/**
 * A group in a child-rows entry: its key, the legacy signature of its rows, all its products,
 * and, for a group too large for one entry, which part of how many this entry is.
 */
export type GroupEntry = [key: string, sig: string | null, productIds: string[], part?: [number, number]]

/**
 * A product's complete set of rows is every key from lo to hi (dates and positions have no
 * holes: gap filling, positions 0…n−1); null bounds: the product has no rows. A loader deletes
 * the product's rows outside its bounds, so a product's rows may arrive in several entries.
 */
export type Bounds = [productId: string, lo: string | number | null, hi: string | number | null]

/**
 * A histories or multimedia stream entry: rows of its products, their product_id and key as
 * runs (field `runs`, src/messages/runs.ts), every other column in COPY's text format, one line
 * per row (field `copy`, src/messages/copy-text.ts); derived columns do not travel. The loader
 * puts the id, product_id and key in front of each line and streams the lines into COPY. The
 * columns a line holds are named in field `columns`, so an entry of another column list is
 * malformed (dead-lettered, `dlq retry` re-extracts it), never misread. Produced by transform;
 * consumed by its loader, which re-queues the rows of products not loaded yet as a new entry
 * carrying `only` (those products) and a growing `deferrals`.
 */
export interface ChildRowsMessage extends RunTag {
  keys: GroupEntry[]
  /** The products whose rows this entry carries (also those with none: their v3 rows go), with their bounds. */
  bounds: Bounds[]
  rows: number
  /** product_id and key of the rows, in row order. */
  runs: Run[]
  /** The rows' other columns, one COPY text line per row, in row order. */
  copy: string
  /** Set on a re-queued entry: the products still waiting for their product row. */
  only?: string[]
  deferrals: number
  /** Not to be processed before this time (ms since the epoch). */
  notBefore: number
}

const isPart = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n))
const isGroupEntry = (v: unknown): v is GroupEntry =>
  Array.isArray(v) && (v.length === 3 || (v.length === 4 && isPart(v[3]))) && isString(v[0]) && (v[1] === null || isString(v[1])) && isStringArray(v[2])
const isKey = (v: unknown) => v === null || typeof v === "string" || typeof v === "number"
const isBounds = (v: unknown): v is Bounds => Array.isArray(v) && v.length === 3 && isString(v[0]) && isKey(v[1]) && isKey(v[2])

export interface ChildRowsCodec<T> {
  /** The table and stream: "histories", "multimedia". */
  readonly table: string
  /** Every column of the table, in the order of the lines copyText gives. */
  readonly copyColumns: readonly string[]
  /** The stream entry of `rows` (their columns encoded here) for the given groups and product bounds. */
  fromRows(tag: RunTag, keys: GroupEntry[], bounds: Bounds[], rows: readonly T[]): Record<string, string>
  encode(m: ChildRowsMessage): Record<string, string>
  decode(f: Fields): ChildRowsMessage
  /** How many of the entry's rows each product has. */
  rowsPerProduct(m: ChildRowsMessage): Map<string, number>
  /** The entry with only the rows and bounds of `products`. */
  narrow(m: ChildRowsMessage, products: ReadonlySet<string>): ChildRowsMessage
  /**
   * The COPY text of the rows of `products` (all when absent), every column in copyColumns order,
   * in chunks of whole lines (none: no rows), so no copy of a whole entry is ever built.
   */
  copyText(m: ChildRowsMessage, products?: ReadonlySet<string>): string[]
}

const COPY_CHUNK_CHARS = 64 * 1024

/**
 * The message module of one child table, from its column list (src/messages/columns.ts) and the
 * function giving a row's id from its product id and key (src/mapping/reference.ts).
 */
export function childRowsCodec<T>(what: string, allColumns: readonly Column<T>[], key: RunKey, idOf: (productId: string, key: string | number) => string): ChildRowsCodec<T> {
  const sqlColumns = wireColumns(allColumns)
  const runColumn = (name: string) => name === "product_id" || name === key.name
  if (sqlColumns.filter((c) => runColumn(c.name)).length !== 2) throw new Error(`${what}: a child table's wire columns must include product_id and ${key.name}`)
  const derived = allColumns.filter((c) => c.derived)
  if (derived.length !== 1 || derived[0]!.name !== "id") throw new Error(`${what}: id must be the one derived column`)
  const columns = sqlColumns.filter((c) => !runColumn(c.name))
  const columnList = columns.map((c) => c.name).join(",")
  const productOf = (row: T) => (row as Record<string, unknown>)["product_id"] as string
  const keyOf = (row: T) => (row as Record<string, unknown>)[key.name] as string | number
  const encode = (m: ChildRowsMessage): Record<string, string> => {
    const fields: Record<string, string> = {
      ...runFields(m),
      keys: JSON.stringify(m.keys),
      bounds: JSON.stringify(m.bounds),
      rows: String(m.rows),
      runs: JSON.stringify(m.runs),
      columns: columnList,
      copy: m.copy,
    }
    if (m.only) fields["only"] = JSON.stringify(m.only)
    if (m.deferrals > 0) fields["deferrals"] = String(m.deferrals)
    if (m.notBefore > 0) fields["not_before"] = String(m.notBefore)
    return fields
  }
  return {
    table: what,
    copyColumns: ["id", "product_id", key.name, ...columns.map((c) => c.name)],
    encode,
    fromRows: (tag, keys, bounds, rows) => {
      const copy = copyLines(rows.length, columns.length, (r, c) => columns[c]!.get(rows[r]!))
      return encode({ ...tag, keys, bounds, rows: rows.length, runs: runsOf(rows, productOf, keyOf, key), copy, deferrals: 0, notBefore: 0 })
    },
    decode: (f) => {
      if (f["columns"] !== columnList) throw new MalformedMessageError(`${what} entry's columns are not ${columnList} (an entry of another release)`)
      const rows = integer(f, "rows", what)
      const copy = text(f, "copy", what)
      // Line and tab counts are exact: a newline or tab inside a value travels escaped.
      if (countOf(copy, "\n") !== rows || countOf(copy, "\t") !== rows * (columns.length - 1) || (rows > 0 && !copy.endsWith("\n"))) {
        throw new MalformedMessageError(`${what} entry's copy field does not hold ${rows} lines of ${columns.length} columns`)
      }
      const runs = json(f, "runs", what, isArrayOf(isRun(key)), `a list of [product id, first ${key.name}, row count]`)
      if (runs.reduce((n, r) => n + r[2], 0) !== rows) throw new MalformedMessageError(`${what} entry's runs do not add up to its ${rows} rows`)
      return {
        ...runTag(f, what),
        keys: json(f, "keys", what, isArrayOf(isGroupEntry), "a list of [key, signature, product ids, part?]"),
        bounds: json(f, "bounds", what, isArrayOf(isBounds), "a list of [product id, lo, hi]"),
        rows,
        runs,
        copy,
        ...(f["only"] !== undefined ? { only: json(f, "only", what, isStringArray, "a list of product ids") } : {}),
        deferrals: integer(f, "deferrals", what, 0),
        notBefore: integer(f, "not_before", what, 0),
      }
    },
    rowsPerProduct: (m) => rowsPerRun(m.runs),
    narrow: (m, products) => {
      const lines = m.copy.split("\n")
      const runs: Run[] = []
      const kept: string[] = []
      let row = 0
      for (const run of m.runs) {
        if (products.has(run[0])) {
          runs.push(run)
          for (let i = row; i < row + run[2]; i++) kept.push(lines[i]!)
        }
        row += run[2]
      }
      const copy = kept.length > 0 ? `${kept.join("\n")}\n` : ""
      return { ...m, runs, copy, rows: kept.length, bounds: m.bounds.filter((b) => products.has(b[0])) }
    },
    copyText: (m, products) => {
      const lines = m.copy.split("\n")
      const chunks: string[] = []
      // Pieces joined once per chunk, not concatenated: see copyLines (src/messages/copy-text.ts).
      let pieces: string[] = []
      let chars = 0
      let row = 0
      for (const [id, start, length] of m.runs) {
        if (!products || products.has(id)) {
          const idText = copyField(id)
          const first = key.ordinal(start)
          for (let i = 0; i < length; i++) {
            const k = key.at(first + i)
            const line = lines[row + i]!
            const rowId = copyField(idOf(id, k))
            const keyText = copyField(k)
            pieces.push(rowId, "\t", idText, "\t", keyText, "\t", line, "\n")
            chars += rowId.length + idText.length + keyText.length + line.length + 4
            if (chars >= COPY_CHUNK_CHARS) {
              chunks.push(pieces.join(""))
              pieces = []
              chars = 0
            }
          }
        }
        row += length
      }
      if (pieces.length > 0) chunks.push(pieces.join(""))
      return chunks
    },
  }
}
