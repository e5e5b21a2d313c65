-- History rows of product keys $4..$5 (keys above $2 are orphans), seed $1, anchor day $3.
-- Per product: one row per day from hstart for hlen days, minus gaps (4 % of days at random, and
-- for some products a run of 2..9 days), plus `rescrapes` extra rows for random earlier days.
-- A re-scrape copies the original's sold_units 40 % of the time, and then its stock half of the
-- time, so the duplicate rule's tie-breaks (sold_units, then stock, then uuid) are all exercised.
-- 8 % of rows spell the key differently than the product does (same key once normalized).
-- Row values hash `key` (n, day, re-scrape or not); the uuid hashes the row's own index i.
-- Few subquery levels on purpose: each costs per row, and there are 11M rows.
INSERT INTO history (uuid, external_product_id, country, platform, date, stock, sale_price,
  sales_amount, sold_units, stock_adjustment, stock_adjustment_reason)
SELECT pg_temp.uuid($1, p.n * 2048 + i, 200),
  p.external_id,
  CASE WHEN pg_temp.bits(r.ha, 2) < 0.08 AND p.ptype <= 9 AND p.cc <= 10
    THEN (pg_temp.country_spellings(p.cc))[(p.combo + 1 + floor(pg_temp.bits(r.ha, 3) * (p.np * p.nc - 1))::int) % (p.np * p.nc) % p.nc + 1]
    ELSE p.country END,
  CASE WHEN pg_temp.bits(r.ha, 2) < 0.08 AND p.ptype <= 9 AND p.cc <= 10
    THEN (pg_temp.platform_spellings(p.ptype))[(p.combo + 1 + floor(pg_temp.bits(r.ha, 3) * (p.np * p.nc - 1))::int) % (p.np * p.nc) / p.nc + 1]
    ELSE p.platform END,
  pg_temp.history_date(r.hd, p.hstart + ji.j),
  pg_temp.bad(greatest(0, floor(p.stock * (1 - 0.5 * ji.j / greatest(p.hlen, 1)) + 40 * pg_temp.bits(r.ht, 0) - 20)),
    pg_temp.bits(r.ht, 1), 0.002),
  pg_temp.bad(pg_temp.history_price(p.price, r.hp), pg_temp.bits(r.hp, 2), 0.001),
  pg_temp.bad(pg_temp.history_sold(p.rate, r.hs) * pg_temp.history_price(p.price, r.hp), pg_temp.bits(r.hp, 3), 0.001),
  pg_temp.bad(pg_temp.history_sold(p.rate, r.hs), pg_temp.bits(r.hs, 2), 0.001),
  pg_temp.history_adjustment(r.ha),
  pg_temp.history_reason(r.ha)
FROM generate_series($4::bigint, $5::bigint) g(n)
CROSS JOIN LATERAL (SELECT * FROM pg_temp.product_core($1, g.n, $3::date, $2) OFFSET 0) p
CROSS JOIN LATERAL generate_series(0, p.hlen + p.rescrapes - 1) i
CROSS JOIN LATERAL (SELECT x.j, x.again, p.n * 2048 + x.j * 2 + x.again::int AS key
  FROM (SELECT CASE WHEN i < p.hlen THEN i ELSE floor(pg_temp.u($1, p.n * 2048 + i, 208) * p.hlen)::int END AS j,
    i >= p.hlen AS again) x OFFSET 0) ji
CROSS JOIN LATERAL (SELECT pg_temp.h($1, ji.key, 203) AS hd, pg_temp.h($1, ji.key, 204) AS hp, pg_temp.h($1, ji.key, 205) AS ha,
  pg_temp.h($1, CASE WHEN ji.again AND pg_temp.bits(pg_temp.h($1, ji.key, 202), 1) < 0.4 THEN ji.key - 1 ELSE ji.key END, 206) AS hs,
  pg_temp.h($1, CASE WHEN ji.again AND pg_temp.bits(pg_temp.h($1, ji.key, 202), 1) < 0.4
    AND pg_temp.bits(pg_temp.h($1, ji.key, 202), 2) < 0.5 THEN ji.key - 1 ELSE ji.key END, 207) AS ht OFFSET 0) r
WHERE ji.again OR NOT (pg_temp.bits(pg_temp.h($1, ji.key, 202), 0) < 0.04
  OR (ji.j >= p.gap_from AND ji.j < p.gap_from + p.gap_len))
