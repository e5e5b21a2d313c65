import type { V3History, V3Multimedia, V3Product } from "../mapping/types"
import type { Scalar } from "./copy-text"

/**
 * The v3 columns each loader writes, with their PostgreSQL types: one definition serves the
 * wire format (transform encodes rows column by column) and the loaders' SQL (src/load/sql.ts).
 */
export interface Column<T> {
  name: string
  type: string
  get: (row: T) => Scalar
  /**
   * Computed by the loader from the row's product id and key (src/messages/child-rows.ts): such a
   * column never travels. The v3 ids of histories and multimedia are their product id and key
   * (src/mapping/reference.ts), and were a third of a histories entry's bytes.
   */
  derived?: true
}

const col = <T>(name: keyof T & string, type: string, derived?: true): Column<T> =>
  derived === undefined ? { name, type, get: (row) => row[name] as Scalar } : { name, type, get: (row) => row[name] as Scalar, derived }

/** The columns a stream entry carries: all but the derived ones, in order. */
export const wireColumns = <T>(columns: readonly Column<T>[]): Column<T>[] => columns.filter((c) => c.derived === undefined)

export const historyColumns: Column<V3History>[] = [
  col("id", "text", true),
  col("product_id", "text"),
  col("date", "date"),
  col("stock", "float8"),
  col("sale_price", "float8"),
  col("suggested_price", "float8"),
  col("sold_units", "float8"),
  col("billing", "float8"),
  col("sold_units_last_7_days", "float8"),
  col("sold_units_last_30_days", "float8"),
  col("total_sold_units", "float8"),
  col("billing_last_7_days", "float8"),
  col("billing_last_30_days", "float8"),
  col("total_billing", "float8"),
  col("stock_adjustment", "boolean"),
  col("stock_adjustment_reason", "text"),
  col("filled", "boolean"),
]

export const multimediaColumns: Column<V3Multimedia>[] = [
  col("id", "text", true),
  col("product_id", "text"),
  col("position", "int4"),
  col("type", "text"),
  col("url", "text"),
  col("original_url", "text"),
  col("extracted", "boolean"),
]

export const productColumns: Column<V3Product>[] = [
  col("id", "text"),
  col("external_id", "text"),
  col("name", "text"),
  col("description", "text"),
  col("sale_price", "float8"),
  col("suggested_price", "float8"),
  col("stock", "float8"),
  col("total_billing", "float8"),
  col("billing_last_7_days", "float8"),
  col("billing_last_30_days", "float8"),
  col("total_sold_units", "float8"),
  col("sold_units_last_7_days", "float8"),
  col("sold_units_last_30_days", "float8"),
  col("variations_amount", "int4"),
  col("score", "int4"),
  col("status", "product_status"),
  col("platform_country_id", "text"),
  col("base_category_id", "text"),
  col("provider_id", "text"),
  col("created_at", "timestamp(3)"),
  col("updated_at", "timestamp(3)"),
]
