import type { LegacyGroup, LegacyHistory, LegacyNumber, LegacyProduct } from "../mapping/types"
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
  /** History rows per key, each an array in `historyRowColumns` order. */
  histories: Record<string, unknown[][]>
  productSigs: Record<string, string>
  historySigs: Record<string, string>
  /**
   * Groups that only gained history rows since their last load, products unchanged: the uuids of
   * the added rows. Their rows before the first added date are what v3 holds already, so they
   * are not sent again (src/transform/outputs.ts). Any other group is sent whole.
   */
  tails: Record<string, string[]>
}

/**
 * The legacy history columns of a row on the wire, in order; its key (external_product_id) is
 * the object key it sits under. extract/sql.ts builds the rows from this list.
 */
export const historyRowColumns = [
  "uuid", "country", "platform", "date", "stock", "sale_price", "sales_amount", "sold_units", "stock_adjustment", "stock_adjustment_reason",
] as const

/** The JSON texts PostgreSQL built for a batch, published as they are (extract never parses them). */
export interface ExtractBatchText extends RunTag {
  unit: string
  keys: string[]
  productsJson: string
  historiesJson: string
  productSigsJson: string
  historySigsJson: string
  /** Absent or "{}": every group is sent whole. */
  tailsJson?: string
}

export function encodeExtractBatch(b: ExtractBatchText): Record<string, string> {
  return {
    ...runFields(b),
    unit: b.unit,
    keys: JSON.stringify(b.keys),
    product_sigs: b.productSigsJson,
    history_sigs: b.historySigsJson,
    ...(b.tailsJson !== undefined && b.tailsJson !== "{}" ? { tails: b.tailsJson } : {}),
    products: b.productsJson,
    histories: b.historiesJson,
  }
}

const what = "extract"
const isProductRow = (v: unknown): v is LegacyProduct => isRecord(v) && isString(v["uuid"]) && isString(v["external_id"])
const isHistoryRows = isArrayOf((v: unknown): v is unknown[] => Array.isArray(v) && v.length === historyRowColumns.length)

export function decodeExtractBatch(f: Fields): ExtractBatch {
  return {
    ...runTag(f, what),
    unit: text(f, "unit", what),
    keys: json(f, "keys", what, isStringArray, "a list of keys"),
    products: json(f, "products", what, isArrayOf(isProductRow), "a list of product rows"),
    histories: json(f, "histories", what, isRecordOf(isHistoryRows), "history rows by key"),
    productSigs: json(f, "product_sigs", what, isRecordOf(isString), "signatures by key"),
    historySigs: json(f, "history_sigs", what, isRecordOf(isString), "signatures by key"),
    tails: f["tails"] === undefined ? {} : json(f, "tails", what, isRecordOf(isStringArray), "added row uuids by key"),
  }
}

/** A history row of the wire format, under its key (external_product_id). */
export function historyRow(key: string, r: unknown[]): LegacyHistory {
  return {
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
  }
}

/** The batch's groups: each key with its products and history rows. */
export function groupsOf(b: Pick<ExtractBatch, "keys" | "products" | "histories">): LegacyGroup[] {
  const groups = new Map<string, LegacyGroup>(b.keys.map((k) => [k, { key: k, products: [], histories: [] }]))
  for (const p of b.products) groups.get(p.external_id)?.products.push(p)
  for (const [key, rows] of Object.entries(b.histories)) {
    const group = groups.get(key)
    if (group) for (const raw of rows) group.histories.push(historyRow(key, raw))
  }
  return [...groups.values()]
}
