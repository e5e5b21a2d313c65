/**
 * PostgreSQL array literals ('{"a","b",NULL}') built once, in transform, so a loader can pass
 * a column straight to `unnest($n::type[])` without parsing or re-serializing its rows.
 * Quoting follows the array input syntax (postgresql.org/docs/15/arrays.html#ARRAYS-IO):
 * every element is double-quoted, with backslash and double quote escaped.
 */
export type Scalar = string | number | boolean | null

function element(v: Scalar): string {
  if (v === null) return "NULL"
  if (typeof v === "boolean") return v ? "t" : "f"
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot load a non-finite number (${v})`)
    return String(v)
  }
  return `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`
}

export function pgArray(values: readonly Scalar[]): string {
  let out = "{"
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ","
    out += element(values[i]!)
  }
  return `${out}}`
}
