-- The day's scrape ($2): a row for a share $3 (by default 85 %) of the products changed in the last 30 days, mostly spelled
-- as the product, sometimes otherwise (same key once normalized). $1 is the day's seed.
INSERT INTO history (uuid, external_product_id, country, platform, date, stock, sale_price,
  sales_amount, sold_units, stock_adjustment, stock_adjustment_reason)
SELECT pg_temp.row_uuid($1, 'today:' || p.uuid), p.external_id,
  CASE WHEN pg_temp.u($1, x.k, 32) < 0.05 THEN lower(p.country) ELSE p.country END,
  CASE WHEN pg_temp.u($1, x.k, 32) < 0.05 THEN ' ' || p.platform ELSE p.platform END,
  CASE WHEN pg_temp.u($1, x.k, 33) < 0.95 THEN $2::date::text
    ELSE to_char($2::date + floor(pg_temp.u($1, x.k, 34) * 86400000)::int * interval '1 millisecond',
      'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
  x.stock, x.price, x.sold * x.price, x.sold,
  pg_temp.u($1, x.k, 35) < 0.03, NULL
FROM product p
CROSS JOIN LATERAL (SELECT pg_temp.row_key(p.uuid) AS k,
  CASE WHEN p.stock >= 0 AND p.stock < 'Infinity'::float8 THEN p.stock ELSE 0 END AS stock,
  CASE WHEN p.sale_price >= 0 AND p.sale_price < 'Infinity'::float8 THEN p.sale_price ELSE 0 END AS price,
  floor(pg_temp.u($1, pg_temp.row_key(p.uuid), 36) * 6) AS sold OFFSET 0) x
WHERE p.updated_at > $2::date - 30 AND pg_temp.u($1, x.k, 31) < $3::float8
