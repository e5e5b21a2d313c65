import type { Bounds, ChildRowsCodec, GroupEntry } from "../messages/child-rows"
import type { RunTag } from "../messages/fields"

/**
 * A group's child rows (histories or multimedia), product by product, each product's rows in key
 * order. `bounds`, when set, are the product's full key range while `rows` are only its last rows
 * (the rest is in v3 already); otherwise the rows are all of them and give the bounds.
 */
export interface ChildGroup<T> {
  key: string
  sig: string | null
  products: { id: string; rows: readonly T[]; bounds?: readonly [lo: string | number, hi: string | number] | null }[]
}

interface Entry<T> {
  keys: GroupEntry[]
  bounds: Bounds[]
  rows: T[]
}

const empty = <T>(): Entry<T> => ({ keys: [], bounds: [], rows: [] })

/**
 * Cuts groups' child rows into stream entries of at most `maxRows` rows. Whole groups share
 * entries; a group larger than that gets entries of its own, its products' rows sliced across
 * them, each entry marked as part i of n of the group and carrying the full bounds of every
 * product it holds rows of (a loader deletes a product's rows outside them, src/load/child-rows.ts),
 * so no entry, and no stage holding one, grows with the size of a group.
 */
export function childEntries<T>(
  codec: ChildRowsCodec<T>,
  keyOf: (row: T) => string | number,
  tag: RunTag,
  groups: readonly ChildGroup<T>[],
  maxRows: number,
): Record<string, string>[] {
  const out: Record<string, string>[] = []
  const boundsOf = (p: ChildGroup<T>["products"][number]): Bounds => {
    if (p.bounds !== undefined) return p.bounds === null ? [p.id, null, null] : [p.id, p.bounds[0], p.bounds[1]]
    return p.rows.length === 0 ? [p.id, null, null] : [p.id, keyOf(p.rows[0]!), keyOf(p.rows[p.rows.length - 1]!)]
  }
  const flush = (e: Entry<T>) => out.push(codec.fromRows(tag, e.keys, e.bounds, e.rows))
  let shared = empty<T>()
  for (const g of groups) {
    const ids = g.products.map((p) => p.id)
    const size = g.products.reduce((n, p) => n + p.rows.length, 0)
    if (size <= maxRows) {
      if (shared.rows.length > 0 && shared.rows.length + size > maxRows) {
        flush(shared)
        shared = empty<T>()
      }
      shared.keys.push([g.key, g.sig, ids])
      for (const p of g.products) {
        shared.bounds.push(boundsOf(p))
        shared.rows.push(...p.rows)
      }
      continue
    }
    const parts: Entry<T>[] = [empty<T>()]
    for (const p of g.products) {
      const bounds = boundsOf(p)
      if (p.rows.length === 0) parts.at(-1)!.bounds.push(bounds)
      for (let i = 0; i < p.rows.length; ) {
        let part = parts.at(-1)!
        if (part.rows.length >= maxRows) parts.push((part = empty<T>()))
        const take = Math.min(maxRows - part.rows.length, p.rows.length - i)
        part.bounds.push(bounds)
        for (let j = i; j < i + take; j++) part.rows.push(p.rows[j]!)
        i += take
      }
    }
    parts.forEach((part, i) => {
      part.keys.push([g.key, g.sig, ids, [i + 1, parts.length]])
      flush(part)
    })
  }
  if (shared.keys.length > 0 || out.length === 0) flush(shared)
  return out
}
