-- Everything about product n that both the product row and its history rows need. Products and
-- history are computed from it independently, so the two tables can be loaded in parallel.
-- Keys n > nprod are phantom products: their history is written but they have no product row
-- (orphans), under external ids far from any real one.
-- OFFSET 0 keeps each step from being flattened into (and recomputed by) every later reference.
CREATE FUNCTION pg_temp.product_core(s bigint, pn bigint, as_of date, nprod bigint)
RETURNS TABLE (n bigint, k bigint, ptype int, cc int, np int, nc int, combo int,
  platform text, country text, external_id text, created date, updated date,
  hstart date, hlen int, gap_from int, gap_len int, rescrapes int,
  price float8, stock float8, rate float8)
LANGUAGE sql STABLE AS $$
SELECT t.n, t.k, kc.ptype, kc.cc, sz.np, sz.nc, cb.combo,
  (pg_temp.platform_spellings(kc.ptype))[cb.combo / sz.nc + 1],
  (pg_temp.country_spellings(kc.cc))[cb.combo % sz.nc + 1],
  CASE WHEN t.n > nprod THEN (50000000 + t.n - nprod)::text ELSE pg_temp.external_id(kc.ptype, t.k) END,
  least(hs.hstart, dt.updated) - floor(pg_temp.u(s, t.n, 17) ^ 3 * 30)::int,
  dt.updated, hs.hstart, dt.hlen,
  1 + floor(pg_temp.u(s, t.n, 19) * (dt.hlen - 2))::int,
  CASE WHEN dt.hlen > 10 AND pg_temp.u(s, t.n, 18) < 0.12 THEN 2 + floor(pg_temp.u(s, t.n, 20) * 8)::int ELSE 0 END,
  CASE WHEN dt.hlen = 0 THEN 0 ELSE floor(dt.hlen * 0.04 + pg_temp.u(s, t.n, 21))::int END,
  pg_temp.base_price(s, t.k, kc.cc),
  CASE WHEN pg_temp.u(s, t.n, 23) < 0.12 THEN 0 ELSE floor(pg_temp.u(s, t.n, 24) ^ 2 * 3000) END,
  CASE WHEN pg_temp.u(s, t.n, 25) < 0.25 THEN 0 ELSE -ln(1 - pg_temp.u(s, t.n, 26)) * 3 END
FROM (SELECT pn AS n, pg_temp.key_of(s, pn) AS k OFFSET 0) t
CROSS JOIN LATERAL (SELECT pg_temp.key_type(s, t.k) AS ptype, pg_temp.key_country(s, t.k) AS cc OFFSET 0) kc
CROSS JOIN LATERAL (SELECT cardinality(pg_temp.platform_spellings(kc.ptype)) AS np,
  cardinality(pg_temp.country_spellings(kc.cc)) AS nc OFFSET 0) sz
CROSS JOIN LATERAL (SELECT (((pg_temp.draw(s, t.k, 5, pg_temp.spelling_cum(sz.np), 10) - 1) * sz.nc
  + pg_temp.draw(s, t.k, 6, pg_temp.spelling_cum(sz.nc), 11) - 1 + (t.n - t.k)) % (sz.np * sz.nc))::int AS combo OFFSET 0) cb
CROSS JOIN LATERAL (SELECT pg_temp.updated_at(s, t.n, t.k, as_of) AS updated,
  pg_temp.history_length(s, t.n) AS hlen OFFSET 0) dt
CROSS JOIN LATERAL (SELECT dt.updated - dt.hlen + 1 - CASE WHEN pg_temp.u(s, t.n, 15) < 0.8 THEN 0
  ELSE 1 + floor(pg_temp.u(s, t.n, 16) * 4)::int END AS hstart OFFSET 0) hs
$$;
