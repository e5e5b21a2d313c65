import { type Column, wireColumns } from "../messages/columns"

/** `unnest($1::text[], $2::date[], …) AS t(id, date, …)` for a column list's wire columns, parameters from `offset`. */
export function unnestFrom<T>(columns: readonly Column<T>[], offset = 1): string {
  const wire = wireColumns(columns)
  const args = wire.map((c, i) => `$${i + offset}::${c.type}[]`).join(", ")
  return `unnest(${args}) AS t(${wire.map((c) => c.name).join(", ")})`
}

/** The SELECT list over unnestFrom's `t` giving every column, in order. */
export function selectList<T>(columns: readonly Column<T>[]): string {
  return columns.map((c) => `t.${c.name}`).join(", ")
}

/** `SET a = EXCLUDED.a, …` and the matching `WHERE (t.a, …) IS DISTINCT FROM (EXCLUDED.a, …)`: no-op rewrites write nothing. */
export function upsertTail<T>(table: string, columns: readonly Column<T>[], keep: readonly string[]): string {
  const changing = columns.filter((c) => !keep.includes(c.name)).map((c) => c.name)
  return `DO UPDATE SET ${changing.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}
    WHERE (${changing.map((c) => `${table}.${c}`).join(", ")}) IS DISTINCT FROM (${changing.map((c) => `EXCLUDED.${c}`).join(", ")})`
}
