-- $3 products that the pipeline migrates today (valid, no natural-key rival, not edited on the
-- day $2) get a bad sale_price: migrated before, rejected from now on. $1 is the day's seed.
WITH keyed AS (
  SELECT p.uuid, p.updated_at, pg_temp.migratable(p.platform, p.country, p.sale_price) AS ok,
    count(*) OVER (PARTITION BY pg_temp.platform_index(p.platform), pg_temp.country_index(p.country), p.external_id) AS rivals
  FROM product p
), chosen AS (
  SELECT uuid, row_number() OVER (ORDER BY pg_temp.u($1, pg_temp.row_key(uuid), 10), uuid) AS rn
  FROM keyed WHERE ok AND rivals = 1 AND updated_at < $2::date
)
UPDATE product p SET sale_price = ('{NaN,-1,Infinity}'::float8[])[1 + c.rn::int % 3], updated_at = $2::date
FROM chosen c
WHERE c.uuid = p.uuid AND c.rn <= $3::int
