import { dateOfDay, parseHistoryDay } from "./dates"
import { orZero } from "./numbers"
import { historyId } from "./reference"
import { trimToNull } from "./text"
import { applyRollingFigures } from "./rolling"
import { type FillSource, seedSource } from "./tails"
import type { HistoryDrop, HistorySeed, LegacyHistory, V3History, V3Product } from "./types"

export interface ProductHistories {
  /** Kept and filled rows, ascending by date, rolling figures filled in. */
  histories: V3History[]
  kept: number
  filled: number
  dropped: Array<{ row: LegacyHistory; reason: HistoryDrop }>
}

/** A history row that passed rule 1, with its rule 3 values. */
export interface DatedRow {
  row: LegacyHistory
  date: string
  day: number
  stock: number
  soldUnits: number
  salePrice: number
  billing: number
}

/** MAPPING.md Histories rules 1 and 3: null when the date is invalid. */
export function datedRow(row: LegacyHistory): DatedRow | null {
  const parsed = parseHistoryDay(row.date)
  if (parsed === null) return null
  return {
    row,
    date: parsed.date,
    day: parsed.day,
    stock: orZero(row.stock),
    soldUnits: orZero(row.sold_units),
    salePrice: orZero(row.sale_price),
    billing: orZero(row.sales_amount),
  }
}

/**
 * MAPPING.md Histories rule 2: among rows of one date keep the greatest sold_units, then the
 * greatest stock (values after rule 3), then the greatest uuid (lower-cased, code-unit order).
 */
export function keepsOver(a: DatedRow, b: DatedRow): boolean {
  if (a.soldUnits !== b.soldUnits) return a.soldUnits > b.soldUnits
  if (a.stock !== b.stock) return a.stock > b.stock
  // Lower-cased only here: a tie on both figures is rare.
  return a.row.uuid.toLowerCase() > b.row.uuid.toLowerCase()
}

function v3Row(productId: string, date: string, fields: HistoryFields): V3History {
  // Column order as in V3History; rolling figures are set by applyRollingFigures.
  return {
    id: historyId(productId, date),
    product_id: productId,
    date,
    stock: fields.stock,
    sale_price: fields.sale_price,
    suggested_price: fields.suggested_price,
    sold_units: fields.sold_units,
    billing: fields.billing,
    sold_units_last_7_days: 0,
    sold_units_last_30_days: 0,
    total_sold_units: 0,
    billing_last_7_days: 0,
    billing_last_30_days: 0,
    total_billing: 0,
    stock_adjustment: fields.stock_adjustment,
    stock_adjustment_reason: fields.stock_adjustment_reason,
    filled: fields.filled,
  }
}

type HistoryFields = Omit<V3History, RollingField | "id" | "product_id" | "date">

type RollingField =
  | "sold_units_last_7_days"
  | "sold_units_last_30_days"
  | "total_sold_units"
  | "billing_last_7_days"
  | "billing_last_30_days"
  | "total_billing"

/**
 * The rows of one product: rule 1 (dates), 2 (one row per date), 3 (values), 4 (gap filling)
 * and 5 (rolling figures). Order of `rows` does not matter.
 *
 * With a `seed` (an incremental run's tail, cut at `cut`): `rows` are the product's legacy rows
 * dated `cut` or later, plus some with invalid dates, and the result is its rows from the day
 * after the seed's last row on. Rules 2, 3 and 5 only look back and rule 4 looks back to the
 * previous kept date: the seed's last row is that kept row, and its running totals and the 29
 * days up to it carry the windows.
 */
export function mapHistories(
  product: Pick<V3Product, "id" | "suggested_price">,
  rows: readonly LegacyHistory[],
  seed?: HistorySeed & { cut: string },
): ProductHistories {
  const dropped: ProductHistories["dropped"] = []
  const byDate = new Map<number, DatedRow>()
  const dated: DatedRow[] = []
  for (const row of rows) {
    const d = datedRow(row)
    if (d === null) {
      dropped.push({ row, reason: "invalid_date" })
      continue
    }
    if (seed !== undefined && d.date < seed.cut) throw new Error(`history row ${row.uuid} (${d.date}) precedes the date ${seed.cut} its group was read from`)
    dated.push(d)
    const current = byDate.get(d.day)
    if (current === undefined || keepsOver(d, current)) byDate.set(d.day, d)
  }
  for (const d of dated) if (byDate.get(d.day) !== d) dropped.push({ row: d.row, reason: "duplicate" })

  const kept = [...byDate.values()].sort((a, b) => a.day - b.day)
  const histories: V3History[] = []
  let filled = 0
  let previous: FillSource | undefined = seedSource(seed)
  for (const k of kept) {
    // MAPPING.md Histories rule 4: dates strictly between two kept dates copy the previous kept row.
    if (previous !== undefined) {
      for (let day = previous.day + 1; day < k.day; day++) {
        histories.push(filledRow(product, previous, dateOfDay(day)))
        filled++
      }
    }
    histories.push(keptRow(product, k))
    previous = k
  }
  applyRollingFigures(histories, seed)
  return { histories, kept: kept.length, filled, dropped }
}

function keptRow(product: Pick<V3Product, "id" | "suggested_price">, k: DatedRow): V3History {
  // MAPPING.md Histories rule 3.
  return v3Row(product.id, k.date, {
    stock: k.stock,
    sale_price: k.salePrice,
    suggested_price: product.suggested_price,
    sold_units: k.soldUnits,
    billing: k.billing,
    stock_adjustment: k.row.stock_adjustment === true,
    stock_adjustment_reason: trimToNull(k.row.stock_adjustment_reason),
    filled: false,
  })
}

function filledRow(product: Pick<V3Product, "id" | "suggested_price">, previous: FillSource, date: string): V3History {
  return v3Row(product.id, date, {
    stock: previous.stock,
    sale_price: previous.salePrice,
    suggested_price: product.suggested_price,
    sold_units: 0,
    billing: 0,
    stock_adjustment: false,
    stock_adjustment_reason: null,
    filled: true,
  })
}
