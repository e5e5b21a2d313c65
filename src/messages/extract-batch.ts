import { dayNumber } from "../mapping/dates"
import type { HistorySeed, LegacyGroup, LegacyHistory, LegacyNumber, LegacyProduct } from "../mapping/types"
import { decodeHistoryRows, historyRowColumns, type HistoryRows } from "./history-rows"
import { type Fields, isArrayOf, isRecord, isRecordOf, isString, isStringArray, json, runFields, type RunTag, runTag, text } from "./fields"

/**
 * An extract stream entry: a batch of whole groups (every legacy product and history row sharing
 * an external_id) as PostgreSQL rendered them, with each group's change signatures. Produced by
 * extract and by `dlq retry` (re-extracted groups), consumed by transform.
 */
export interface ExtractBatch extends RunTag {
  /** The extract work unit it came from ("dlq-retry" for re-extracted groups). */
  unit: string
  keys: string[]
  /** Products as row_to_json(product) renders them. */
  products: LegacyProduct[]
  /** History rows by key. */
  histories: Map<string, LegacyHistory[]>
  productSigs: Record<string, string>
  historySigs: Record<string, string>
  /**
   * Groups that only gained history rows since their last load, products unchanged (tails): the
   * date from which their rows were read. Their history rows are those dated then or later (and
   * some with invalid dates); the rest is in v3 and stands (src/transform/outputs.ts). Any other
   * group is sent whole.
   */
  cuts: Record<string, string>
  /**
   * Tails whose added rows repeat, value for value, the rows already on their dates: only those
   * dates' rows were read, for the accounting, and nothing of them reaches v3 (src/extract/sql.ts
   * historyTails).
   */
  inert: Set<string>
  /** For the v3 products of the tails: what v3 holds before the cut (MapGroupOptions.tail). */
  seeds: Record<string, HistorySeed>
}

/** The texts PostgreSQL built for a batch, published as they are (extract never parses them). */
export interface ExtractBatchText extends RunTag {
  unit: string
  keys: string[]
  productsJson: string
  /** The keys' history rows in the wire form of src/messages/history-rows.ts. */
  historyRows: string
  productSigsJson: string
  /**
   * Absent or "{}": each key's history signature is that of its rows sent. JSON object key ->
   * signature, for a batch whose rows are not all of its groups' rows (tails).
   */
  historySigsJson?: string
  /** Absent or "{}": every group is sent whole. JSON object key -> cut date. */
  cutsJson?: string
  /** Absent or "[]": no inert tail. JSON array of keys, each also in cutsJson. */
  inertJson?: string
  /** JSON object product id -> seed, in the wire form of SeedWire. */
  seedsJson?: string
}

export function encodeExtractBatch(b: ExtractBatchText): Record<string, string> {
  return {
    ...runFields(b),
    unit: b.unit,
    keys: JSON.stringify(b.keys),
    product_sigs: b.productSigsJson,
    ...(b.historySigsJson !== undefined && b.historySigsJson !== "{}" ? { history_sigs: b.historySigsJson } : {}),
    ...(b.cutsJson !== undefined && b.cutsJson !== "{}" ? { cuts: b.cutsJson, seeds: b.seedsJson ?? "{}" } : {}),
    ...(b.inertJson !== undefined && b.inertJson !== "[]" ? { inert: b.inertJson } : {}),
    products: b.productsJson,
    history_rows: b.historyRows,
  }
}

const what = "extract"
const isProductRow = (v: unknown): v is LegacyProduct => isRecord(v) && isString(v["uuid"]) && isString(v["external_id"])
const isHistoryRows = isArrayOf((v: unknown): v is unknown[] => Array.isArray(v) && v.length === historyRowColumns.length)

export function decodeExtractBatch(f: Fields): ExtractBatch {
  const histories = f["history_rows"] !== undefined ? decodeHistoryRows(f["history_rows"], what) : jsonHistories(f)
  return {
    ...runTag(f, what),
    unit: text(f, "unit", what),
    keys: json(f, "keys", what, isStringArray, "a list of keys"),
    products: json(f, "products", what, isArrayOf(isProductRow), "a list of product rows"),
    histories: histories.byKey,
    productSigs: json(f, "product_sigs", what, isRecordOf(isString), "signatures by key"),
    historySigs: f["history_sigs"] === undefined
      ? histories.sigs
      : { ...histories.sigs, ...json(f, "history_sigs", what, isRecordOf(isString), "signatures by key") },
    cuts: f["cuts"] === undefined ? {} : json(f, "cuts", what, isRecordOf(isString), "cut dates by key"),
    inert: new Set(f["inert"] === undefined ? [] : json(f, "inert", what, isStringArray, "a list of keys")),
    seeds: f["seeds"] === undefined ? {} : seedsOf(json(f, "seeds", what, isRecordOf(isSeedWire), "seeds by product id")),
  }
}

/**
 * A seed on the wire (src/extract/sql.ts fetchSeeds): [first date, last kept date, its stock,
 * sale_price, total_sold_units, total_billing, the first date of the window, the window's
 * sold_units, its billing], everything after the first date null when there is no kept row.
 * The figures travel as PostgreSQL's float8 text (shortest exact form), so a running total
 * carried on from v3 is the one v3 holds.
 */
type SeedWire = [string | null, string | null, string | null, string | null, string | null, string | null, string | null, string[] | null, string[] | null]

const isFloat8Text = (v: unknown): v is string => typeof v === "string" && v !== "" && (!Number.isNaN(Number(v)) || v === "NaN")
const isDate = (v: unknown): v is string => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)
const isFloat8List = isArrayOf(isFloat8Text)
const isSeedWire = (v: unknown): v is SeedWire => {
  if (!Array.isArray(v) || v.length !== 9 || !(v[0] === null || isDate(v[0]))) return false
  if (v[1] === null) return v.slice(2).every((x) => x === null)
  if (!isDate(v[1]) || !v.slice(2, 6).every(isFloat8Text) || !isDate(v[6]) || !isFloat8List(v[7]) || !isFloat8List(v[8])) return false
  // The window's days are consecutive and end at the kept row, as v3 holds them (rule 4).
  const days = dayNumber(v[1]) - dayNumber(v[6]) + 1
  return days >= 1 && days <= 30 && v[7].length === days && v[8].length === days
}

function seedsOf(wire: Record<string, SeedWire>): Record<string, HistorySeed> {
  const out: Record<string, HistorySeed> = {}
  for (const [id, [first, date, stock, salePrice, totalSold, totalBilling, , sold, billing]] of Object.entries(wire)) {
    out[id] = date === null
      ? { first, last: null, sold: [], billing: [] }
      : {
          first,
          last: { date, stock: Number(stock), sale_price: Number(salePrice), total_sold_units: Number(totalSold), total_billing: Number(totalBilling) },
          sold: sold!.map(Number),
          billing: billing!.map(Number),
        }
  }
  return out
}

/**
 * An entry written before history rows travelled as COPY text (docs/DECISIONS.md 46), still in
 * a stream after an upgrade: history rows as JSON, by key, each an array in `historyRowColumns` order, every signature in
 * `history_sigs`.
 */
function jsonHistories(f: Fields): HistoryRows {
  const byKey = new Map<string, LegacyHistory[]>()
  for (const [key, rows] of Object.entries(json(f, "histories", what, isRecordOf(isHistoryRows), "history rows by key")))
    byKey.set(key, rows.map((r) => ({
      uuid: String(r[0]),
      external_product_id: key,
      country: String(r[1]),
      platform: String(r[2]),
      date: String(r[3]),
      stock: r[4] as LegacyNumber,
      sale_price: r[5] as LegacyNumber,
      sales_amount: r[6] as LegacyNumber,
      sold_units: r[7] as LegacyNumber,
      stock_adjustment: r[8] as boolean | null,
      stock_adjustment_reason: r[9] as string | null,
    })))
  return { byKey, sigs: {} }
}

/** The batch's groups: each key with its products and history rows. */
export function groupsOf(b: Pick<ExtractBatch, "keys" | "products" | "histories">): LegacyGroup[] {
  const groups = new Map<string, LegacyGroup>(b.keys.map((k) => [k, { key: k, products: [], histories: [] }]))
  for (const p of b.products) groups.get(p.external_id)?.products.push(p)
  for (const [key, rows] of b.histories) {
    const group = groups.get(key)
    if (group) group.histories = rows
  }
  return [...groups.values()]
}
