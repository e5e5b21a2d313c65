-- Real rows inside former gaps: for ~3 x $2 of the products with a valid key, up to 3 of the days
-- strictly between their first and last history day that hold no row under any spelling of the
-- key. $1 is the day's seed.
WITH sample AS (
  SELECT p.uuid, p.platform, p.country, p.external_id, p.created_at, p.updated_at, pg_temp.row_key(p.uuid) AS k,
    pg_temp.platform_index(p.platform) AS t, pg_temp.country_index(p.country) AS c,
    CASE WHEN p.stock >= 0 AND p.stock < 'Infinity'::float8 THEN p.stock ELSE 0 END AS stock,
    CASE WHEN p.sale_price >= 0 AND p.sale_price < 'Infinity'::float8 THEN p.sale_price ELSE 0 END AS price
  FROM product p
  WHERE pg_temp.u($1, pg_temp.row_key(p.uuid), 50) < least(1, $2::float8 * 3)
    AND pg_temp.platform_index(p.platform) IS NOT NULL AND pg_temp.country_index(p.country) IS NOT NULL
), days AS (
  -- LATERAL, so each product's rows come through the history index, not a scan of all history.
  SELECT s.uuid, pg_temp.history_day(h.date) AS d
  FROM sample s CROSS JOIN LATERAL (SELECT * FROM history h WHERE h.external_product_id = s.external_id OFFSET 0) h
  WHERE pg_temp.platform_index(h.platform) = s.t AND pg_temp.country_index(h.country) = s.c
), bounds AS (
  SELECT uuid, min(d) AS lo, max(d) AS hi FROM days
  WHERE d >= '2015-01-01' AND d ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$'
  GROUP BY uuid
), missing AS (
  SELECT s.*, d.day, row_number() OVER (PARTITION BY s.uuid
    ORDER BY pg_temp.u($1, s.k + (d.day - date '2000-01-01'), 51), d.day) AS rn
  FROM sample s JOIN bounds b USING (uuid)
  CROSS JOIN LATERAL (SELECT g::date AS day FROM generate_series(s.created_at, s.updated_at, interval '1 day') g) d
  WHERE d.day::text > b.lo AND d.day::text < b.hi
    AND NOT EXISTS (SELECT 1 FROM days x WHERE x.uuid = s.uuid AND x.d = d.day::text)
)
INSERT INTO history (uuid, external_product_id, country, platform, date, stock, sale_price,
  sales_amount, sold_units, stock_adjustment, stock_adjustment_reason)
SELECT pg_temp.row_uuid($1, 'gap:' || m.uuid || ':' || m.day), m.external_id, m.country, m.platform, m.day::text,
  m.stock, m.price, m.price * x.sold, x.sold, false, NULL
FROM missing m
CROSS JOIN LATERAL (SELECT floor(pg_temp.u($1, m.k + (m.day - date '2000-01-01'), 53) * 4) AS sold) x
WHERE m.rn <= 3
