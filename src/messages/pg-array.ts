/**
 * PostgreSQL array literals ('{"a","b",NULL}') built once, in transform, so a loader can pass
 * a column straight to `unnest($n::type[])` without parsing or re-serializing its rows.
 * Quoting follows the array input syntax (postgresql.org/docs/15/arrays.html#ARRAYS-IO):
 * every text element is double-quoted, with backslash and double quote escaped.
 */
export type Scalar = string | number | boolean | null

const specials = /[\\"]/
const specialsAll = /[\\"]/g

export function pgElement(v: Scalar): string {
  if (v === null) return "NULL"
  if (typeof v === "boolean") return v ? "t" : "f"
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot load a non-finite number (${v})`)
    return String(v)
  }
  // Most values (ids, dates, URLs) hold neither character: skip the rewrite for them.
  return specials.test(v) ? `"${v.replace(specialsAll, "\\$&")}"` : `"${v}"`
}

/**
 * The literal of `count` values read by `at(i)`. Consecutive equal values (a product's price
 * or stock over days, its id on every row) reuse the previous element's text: number-to-text
 * is most of the cost.
 */
export function pgArrayOf(count: number, at: (i: number) => Scalar): string {
  let out = "{"
  let previous: Scalar | undefined
  let previousText = ""
  for (let i = 0; i < count; i++) {
    const v = at(i)
    if (v !== previous || i === 0) {
      previousText = pgElement(v)
      previous = v
    }
    out += i === 0 ? previousText : `,${previousText}`
  }
  return `${out}}`
}

export function pgArray(values: readonly Scalar[]): string {
  return pgArrayOf(values.length, (i) => values[i]!)
}
