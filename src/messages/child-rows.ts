import type { Column } from "./columns"
import { type Fields, integer, MalformedMessageError, isArrayOf, isString, isStringArray, json, runFields, type RunTag, runTag } from "./fields"
import { pgArrayOf } from "./pg-array"

/** A group in a child-rows entry: its key, the legacy signature of its rows, and its products. */
export type GroupEntry = [key: string, sig: string | null, productIds: string[]]

/**
 * A histories or multimedia stream entry: every row the entry's products must have in v3, as one
 * PostgreSQL array literal per column (c0, c1, …), which the loader hands straight to
 * unnest(). Produced by transform; consumed by its loader, which re-queues the rows of products
 * not loaded yet as a new entry carrying `only` (those products) and a growing `deferrals`.
 */
export interface ChildRowsMessage extends RunTag {
  keys: GroupEntry[]
  /** Every product whose rows the entry holds (also those with none: their v3 rows go). */
  products: string[]
  rows: number
  /** The column literals, in the table's column order. */
  columns: string[]
  /** Set on a re-queued entry: the products still waiting for their product row. */
  only?: string[]
  deferrals: number
  /** Not to be processed before this time (ms since the epoch). */
  notBefore: number
}

const isGroupEntry = (v: unknown): v is GroupEntry =>
  Array.isArray(v) && v.length === 3 && isString(v[0]) && (v[1] === null || isString(v[1])) && isStringArray(v[2])

export interface ChildRowsCodec<T> {
  /** The stream entry of rows `rows` (their columns encoded here) for the given groups and products. */
  fromRows(tag: RunTag, keys: GroupEntry[], products: string[], rows: readonly T[]): Record<string, string>
  encode(m: ChildRowsMessage): Record<string, string>
  decode(f: Fields): ChildRowsMessage
}

/** The message module of one child table, from its column list (src/messages/columns.ts). */
export function childRowsCodec<T>(what: string, columns: readonly Column<T>[]): ChildRowsCodec<T> {
  const encode = (m: ChildRowsMessage): Record<string, string> => {
    const fields: Record<string, string> = {
      ...runFields(m),
      keys: JSON.stringify(m.keys),
      products: JSON.stringify(m.products),
      rows: String(m.rows),
    }
    m.columns.forEach((c, i) => (fields[`c${i}`] = c))
    if (m.only) fields["only"] = JSON.stringify(m.only)
    if (m.deferrals > 0) fields["deferrals"] = String(m.deferrals)
    if (m.notBefore > 0) fields["not_before"] = String(m.notBefore)
    return fields
  }
  return {
    encode,
    fromRows: (tag, keys, products, rows) =>
      encode({
        ...tag,
        keys,
        products,
        rows: rows.length,
        columns: columns.map((c) => pgArrayOf(rows.length, (r) => c.get(rows[r]!))),
        deferrals: 0,
        notBefore: 0,
      }),
    decode: (f) => {
      const literals = columns.map((_, i) => {
        const v = f[`c${i}`]
        if (v === undefined || !v.startsWith("{") || !v.endsWith("}")) throw new MalformedColumn(what, i)
        return v
      })
      return {
        ...runTag(f, what),
        keys: json(f, "keys", what, isArrayOf(isGroupEntry), "a list of [key, signature, product ids]"),
        products: json(f, "products", what, isStringArray, "a list of product ids"),
        rows: integer(f, "rows", what),
        columns: literals,
        ...(f["only"] !== undefined ? { only: json(f, "only", what, isStringArray, "a list of product ids") } : {}),
        deferrals: integer(f, "deferrals", what, 0),
        notBefore: integer(f, "not_before", what, 0),
      }
    },
  }
}

class MalformedColumn extends MalformedMessageError {
  constructor(what: string, index: number) {
    super(`${what} entry lacks column field c${index} (an array literal)`)
  }
}
