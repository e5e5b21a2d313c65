/**
 * The read-only SQL extract runs against the legacy database. A *group* is every product and
 * history row sharing one raw external_id: collisions and a product's history never cross
 * groups, so groups can be mapped independently and in any order.
 *
 * Rows leave PostgreSQL as JSON text built by the server, so extract never parses or
 * re-serializes them; transform parses each batch once.
 */

/** Which of `slices` work units a key belongs to; stable for the life of a run. */
export const sliceOf = (column: string, slicesParam: string, sliceParam: string) =>
  `abs(hashtext(${column})::bigint) % ${slicesParam} = ${sliceParam}`

/**
 * Change signatures. The legacy contract moves updated_at whenever a product row changes, so
 * (uuid, updated_at) pairs identify a group's product state. History rows have no marker: a
 * count plus an order-independent sum of row hashes changes when a row is added or edited.
 */
export const productSigExpr = `md5(string_agg(p.uuid::text || '@' || p.updated_at::text, ',' ORDER BY p.uuid))`
export const historySigExpr = `count(*)::text || ':' || sum(hashtextextended(h::text, 0))::text`

/** (external_id, uuid) of one slice's products, in key order, after a resume position. */
export const sliceProductsCursor = (withPosition: boolean) => `
  SELECT p.external_id, p.uuid::text AS uuid
  FROM product p
  WHERE ${sliceOf("p.external_id", "$1", "$2")}${withPosition ? " AND p.external_id > $3" : ""}
  ORDER BY p.external_id, p.uuid`

/** Keys of history rows that no product shares: the orphan work unit. */
export const orphanKeysCursor = (withPosition: boolean) => `
  SELECT DISTINCT h.external_product_id AS external_id
  FROM history h
  WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.external_id = h.external_product_id)${
    withPosition ? " AND h.external_product_id > $1" : ""
  }
  ORDER BY 1`

/** The products of a batch, as one JSON array, plus each key's signature. */
export const fetchProducts = `
  WITH p AS (SELECT * FROM product WHERE uuid = ANY($1::uuid[]))
  SELECT (SELECT coalesce(json_agg(p ORDER BY p.uuid), '[]')::text FROM p) AS rows,
         (SELECT coalesce(json_object_agg(external_id, sig), '{}')::text FROM (
            SELECT p.external_id, ${productSigExpr} AS sig FROM p GROUP BY p.external_id) s) AS sigs`

/**
 * The history rows of a batch's keys as a JSON array of arrays, in the column order of
 * decodeHistoryRow, plus each key's signature.
 */
export const fetchHistories = `
  WITH h AS (SELECT * FROM history WHERE external_product_id = ANY($1::text[]))
  SELECT (SELECT coalesce(json_agg(json_build_array(h.uuid, h.external_product_id, h.country, h.platform, h.date,
            h.stock, h.sale_price, h.sales_amount, h.sold_units, h.stock_adjustment, h.stock_adjustment_reason)), '[]')::text
          FROM h) AS rows,
         (SELECT coalesce(json_object_agg(external_product_id, sig), '{}')::text FROM (
            SELECT h.external_product_id, ${historySigExpr} AS sig FROM h GROUP BY h.external_product_id) s) AS sigs,
         (SELECT count(*)::int FROM h) AS n`

/** The products TEST_MODE may pick from, by uuid (MAPPING.md, Accounting and runs). */
export const productsByUuid = `SELECT uuid::text AS uuid, platform, external_id FROM product WHERE uuid::text > $1 ORDER BY uuid LIMIT 1000`

export const countProducts = `SELECT count(*)::bigint AS n FROM product`
