-- How many of the products created on the day $1 share their natural key with another product.
SELECT count(*)::int AS n FROM product n
WHERE n.created_at = $1::date AND EXISTS (
  SELECT 1 FROM product o WHERE o.external_id = n.external_id AND o.uuid <> n.uuid
    AND pg_temp.platform_index(o.platform) = pg_temp.platform_index(n.platform)
    AND pg_temp.country_index(o.country) = pg_temp.country_index(n.country))
