import { dayNumber } from "./dates"
import type { HistorySeed, V3History } from "./types"

/**
 * Incremental runs: a group that only gained history rows (a tail) is mapped from its first
 * changed date, seeded with what v3 holds before it (src/mapping/histories.ts mapHistories).
 */

/** What a filled row copies: the previous kept row's stock and sale price, on its day. */
export interface FillSource {
  day: number
  stock: number
  salePrice: number
}

/** A seed's last kept row as the previous kept row of the rows after it. */
export function seedSource(seed: HistorySeed | undefined): FillSource | undefined {
  const last = seed?.last
  return last == null ? undefined : { day: dayNumber(last.date), stock: last.stock, salePrice: last.sale_price }
}

/**
 * Incremental runs, a tail mapped from its seed: the product's full date range in v3 once its
 * tail `rows` are written (from its first v3 date, or the tail's, to its last), and how many of
 * its v3 rows stand unread before them (consecutive days, rule 4). Null bounds: no rows at all.
 */
export function tailBounds(seed: HistorySeed, rows: readonly V3History[]): { bounds: [string, string] | null; unchanged: number } {
  const last = seed.last
  const firstTail = rows[0]?.date
  const lo = seed.first !== null && (firstTail === undefined || seed.first < firstTail) ? seed.first : firstTail
  const hi = rows[rows.length - 1]?.date ?? last?.date
  const unchanged = last !== null && seed.first !== null ? dayNumber(last.date) - dayNumber(seed.first) + 1 : 0
  return { bounds: lo === undefined || hi === undefined ? null : [lo, hi], unchanged }
}
