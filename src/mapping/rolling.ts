import type { HistorySeed, V3History } from "./types"

/**
 * MAPPING.md Histories rule 5 over a product's rows ascending by date: 7- and 30-day calendar
 * windows (D−6…D, D−29…D) and running totals. The rows are contiguous days (rule 4 filled every
 * gap), so a calendar window is the last 7 or 30 rows. Decision: each window is summed directly,
 * adding its values in ascending date order from 0, never by sliding add/subtract, so the result
 * equals PostgreSQL's sum() OVER (ORDER BY date ROWS …) bit for bit; a running total carried
 * on from a seed's last row is the same sum. `seed`: v3's days just before the rows.
 * Mutates only rows mapHistories has just built.
 */
export function applyRollingFigures(rows: V3History[], seed?: HistorySeed): void {
  const m = seed?.sold.length ?? 0
  const n = rows.length
  const sold = new Float64Array(m + n)
  const billing = new Float64Array(m + n)
  for (let i = 0; i < m; i++) {
    sold[i] = seed!.sold[i]!
    billing[i] = seed!.billing[i]!
  }
  for (let i = 0; i < n; i++) {
    sold[m + i] = rows[i]!.sold_units
    billing[m + i] = rows[i]!.billing
  }
  let totalSold = seed?.last?.total_sold_units ?? 0
  let totalBilling = seed?.last?.total_billing ?? 0
  for (let i = 0; i < n; i++) {
    const row = rows[i]!
    const j = m + i
    totalSold += sold[j]!
    totalBilling += billing[j]!
    row.sold_units_last_7_days = windowSum(sold, j - 6, j)
    row.sold_units_last_30_days = windowSum(sold, j - 29, j)
    row.total_sold_units = totalSold
    row.billing_last_7_days = windowSum(billing, j - 6, j)
    row.billing_last_30_days = windowSum(billing, j - 29, j)
    row.total_billing = totalBilling
  }
}

/** values[from…to] added in ascending order from 0 (from clamped to 0). */
function windowSum(values: Float64Array, from: number, to: number): number {
  let sum = 0
  for (let j = from < 0 ? 0 : from; j <= to; j++) sum += values[j]!
  return sum
}
