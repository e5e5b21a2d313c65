import type pg from "pg"
import { type Column, historyColumns, multimediaColumns, productColumns } from "../messages/columns"

/**
 * How verify reads the contract's tables from v3: the columns the loaders write (src/load/columns.ts),
 * dates and timestamps as the text src/mapping produces ('YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS',
 * with milliseconds only when there are some), enums as text, whatever the session's DateStyle.
 */
function selectExpr<T>(c: Column<T>): string {
  if (c.type === "date") return `to_char(${c.name}, 'YYYY-MM-DD') AS ${c.name}`
  if (c.type.startsWith("timestamp")) {
    return `to_char(${c.name}, 'YYYY-MM-DD HH24:MI:SS') || CASE WHEN date_trunc('second', ${c.name}) = ${c.name} THEN '' ELSE to_char(${c.name}, '.MS') END AS ${c.name}`
  }
  if (c.type === "product_status") return `${c.name}::text AS ${c.name}`
  return c.name
}

const selectList = <T>(columns: readonly Column<T>[]) => columns.map(selectExpr).join(", ")

export type V3Row = Record<string, unknown>

const productsSql = `SELECT ${selectList(productColumns)} FROM products WHERE id = ANY($1::text[])`
const childSql = {
  multimedia: `SELECT ${selectList(multimediaColumns)} FROM multimedia WHERE product_id = ANY($1::text[]) ORDER BY product_id, position`,
  histories: `SELECT ${selectList(historyColumns)} FROM histories WHERE product_id = ANY($1::text[]) ORDER BY product_id, date`,
}

export async function productsById(v3: pg.Pool, ids: readonly string[]): Promise<Map<string, V3Row>> {
  if (ids.length === 0) return new Map()
  const { rows } = await v3.query<V3Row>(productsSql, [ids])
  return new Map(rows.map((r) => [String(r["id"]), r]))
}

/** A child table's rows of the given products, grouped by product. */
export async function childRows(v3: pg.Pool, table: "multimedia" | "histories", productIds: readonly string[]): Promise<Map<string, V3Row[]>> {
  const byProduct = new Map<string, V3Row[]>()
  if (productIds.length === 0) return byProduct
  const { rows } = await v3.query<V3Row>(childSql[table], [productIds])
  for (const r of rows) {
    const id = String(r["product_id"])
    let list = byProduct.get(id)
    if (!list) byProduct.set(id, (list = []))
    list.push(r)
  }
  return byProduct
}

export const v3ProductIds = "SELECT id FROM products ORDER BY id"
export const v3Providers = "SELECT id, platform_country_id, external_id, name, verified FROM providers ORDER BY id"
export const v3PlatformCountries = "SELECT id, platform_id::text AS platform_id, country_id FROM platform_countries ORDER BY id"
