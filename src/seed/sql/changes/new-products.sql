-- $5 products first seen on the day $2, created and updated that day. The first $6 take the natural
-- key of an existing migratable product spelled another way: a collision the newcomer wins, or a
-- tie when that product was edited the same day (every other one is, while such products last).
-- The rest are new keys. $1 seed of the data, $3 its product count, $4 the day's seed.
WITH candidates AS (
  SELECT p.platform, p.country, p.external_id, p.updated_at = $2::date AS today,
    pg_temp.platform_index(p.platform) AS t, pg_temp.country_index(p.country) AS c,
    row_number() OVER (PARTITION BY p.updated_at = $2::date ORDER BY pg_temp.u($4, pg_temp.row_key(p.uuid), 40), p.uuid) AS rn
  FROM product p
  WHERE pg_temp.migratable(p.platform, p.country, p.sale_price)
), interleaved AS (
  SELECT c.*, row_number() OVER (ORDER BY CASE WHEN c.today THEN c.rn * 2 - 1 ELSE c.rn * 2 END, c.today DESC) AS pos
  FROM candidates c
), rivals AS (
  SELECT i, c.* FROM generate_series(1, $6::int) i JOIN interleaved c ON c.pos = i
), fresh AS (
  SELECT i, 1000000000::bigint + ($2::date - date '2000-01-01') * 1000 + i AS key FROM generate_series(1, $5::int) i
), spelled AS (
  SELECT f.i, f.key, core.price, core.stock,
    CASE WHEN r.i IS NULL THEN core.platform
      ELSE pg_temp.respell(pg_temp.platform_spellings(r.t), r.platform, pg_temp.u($4, f.key, 41)) END AS platform,
    CASE WHEN r.i IS NULL THEN core.country
      ELSE pg_temp.respell(pg_temp.country_spellings(r.c), r.country, pg_temp.u($4, f.key, 42)) END AS country,
    coalesce(r.external_id, (30000000 + ($2::date - date '2000-01-01') * 1000 + f.i)::text) AS external_id
  FROM fresh f
  CROSS JOIN LATERAL (SELECT * FROM pg_temp.product_core($1, f.key, $2::date, $3) OFFSET 0) core
  LEFT JOIN rivals r ON r.i = f.i
)
INSERT INTO product (uuid, platform, country, external_id, name, description, sale_price, suggested_price,
  stock, variations_amount, score, visible, categories, gallery, provider, created_at, updated_at)
SELECT pg_temp.row_uuid($4, 'product:' || s.i), s.platform, s.country, s.external_id,
  pg_temp.product_name($1, s.key), pg_temp.product_description($1, s.key),
  pg_temp.sale_price($1, s.key, s.price), round(s.price * 1.8), s.stock,
  pg_temp.variations_amount($1, s.key), 0, true,
  pg_temp.categories($1, s.key), pg_temp.gallery($1, s.key, s.external_id, gi.items),
  pg_temp.provider($1, s.key, pg_temp.provider_pid($1, s.key, $3)), $2::date, $2::date
FROM spelled s
CROSS JOIN LATERAL (SELECT jsonb_agg(pg_temp.gallery_item($1, s.key * 16 + j, s.external_id) ORDER BY j) AS items
  FROM generate_series(1, pg_temp.gallery_size($1, s.key)) j) gi
ON CONFLICT (platform, country, external_id) DO NOTHING
