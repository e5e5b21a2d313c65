-- Product rows 1..$2 for seed $1, anchored at day $3. Figures follow the product's daily sales
-- rate over its history; each column carries its own share of bad numbers.
INSERT INTO product (uuid, platform, country, external_id, name, description, sale_price, suggested_price,
  stock, total_sales_amount, total_sold_units, sales_last_7_days, sales_last_30_days,
  sold_units_last_7_days, sold_units_last_30_days, variations_amount, score, visible,
  categories, gallery, provider, created_at, updated_at)
SELECT pg_temp.uuid($1, p.n, 98), p.platform, p.country, p.external_id,
  pg_temp.product_name($1, p.n), pg_temp.product_description($1, p.n),
  pg_temp.sale_price($1, p.n, p.price),
  pg_temp.figure($1, p.n, 102, round(p.price * (1.6 + pg_temp.u($1, p.n, 101)))),
  pg_temp.figure($1, p.n, 104, p.stock),
  pg_temp.figure($1, p.n, 106, f.units * p.price),
  pg_temp.figure($1, p.n, 108, f.units),
  pg_temp.figure($1, p.n, 110, f.week * p.price),
  pg_temp.figure($1, p.n, 112, f.month * p.price),
  pg_temp.figure($1, p.n, 114, f.week),
  pg_temp.figure($1, p.n, 116, f.month),
  pg_temp.variations_amount($1, p.n),
  floor(pg_temp.u($1, p.n, 118) * 101)::int,
  pg_temp.u($1, p.n, 119) < 0.88,
  pg_temp.categories($1, p.n), pg_temp.gallery($1, p.n, p.external_id, gi.items), pg_temp.provider($1, p.n, f.pid),
  p.created, p.updated
FROM generate_series(1, $2::bigint) g(n)
CROSS JOIN LATERAL (SELECT * FROM pg_temp.product_core($1, g.n, $3::date, $2) OFFSET 0) p
CROSS JOIN LATERAL (SELECT round(p.rate * (p.hlen + 30)) AS units,
  CASE WHEN p.updated > $3::date - 7 THEN round(p.rate * 7) ELSE 0 END AS week,
  CASE WHEN p.updated > $3::date - 30 THEN round(p.rate * 30) ELSE 0 END AS month,
  pg_temp.provider_pid($1, p.n, $2) AS pid OFFSET 0) f
CROSS JOIN LATERAL (SELECT jsonb_agg(pg_temp.gallery_item($1, p.n * 16 + i, p.external_id) ORDER BY i) AS items
  FROM generate_series(1, pg_temp.gallery_size($1, p.n)) i) gi
