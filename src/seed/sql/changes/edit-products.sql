-- Edits ~$3 of the products, one kind of edit each, as the legacy application would: the row
-- changes and updated_at becomes the day $2. $1 is the day's seed. Kinds: 1 price, 2 name, 3 stock,
-- 4 visibility, 5 provider renamed (same external id, new name), 6 one gallery item removed,
-- 7 categories changed. A product whose provider or gallery cannot take edit 5 or 6 gets 1 or 7.
WITH picked AS (
  SELECT p.uuid, pg_temp.row_key(p.uuid) AS k, CASE 1 + floor(pg_temp.u($1, pg_temp.row_key(p.uuid), 2) * 7)::int
    WHEN 5 THEN CASE WHEN jsonb_typeof(p.provider) = 'object' AND (p.provider ? 'name' OR p.provider ? 'provider_name')
      THEN 5 ELSE 1 END
    WHEN 6 THEN CASE WHEN jsonb_typeof(p.gallery) = 'array' AND jsonb_array_length(p.gallery) > 0 THEN 6 ELSE 7 END
    ELSE 1 + floor(pg_temp.u($1, pg_temp.row_key(p.uuid), 2) * 7)::int END AS kind
  FROM product p
  WHERE pg_temp.u($1, pg_temp.row_key(p.uuid), 1) < $3::float8
), edited AS (
  UPDATE product p SET
    sale_price = CASE WHEN e.kind <> 1 THEN p.sale_price
      WHEN p.sale_price >= 0 AND p.sale_price < 'Infinity'::float8
        THEN round((p.sale_price * (0.85 + 0.3 * pg_temp.u($1, e.k, 3)) * 100)::numeric) / 100
      ELSE 19900 END,
    name = CASE WHEN e.kind = 2 THEN pg_temp.plain_name($1, e.k) ELSE p.name END,
    stock = CASE WHEN e.kind = 3 THEN floor(pg_temp.u($1, e.k, 4) * 3000) ELSE p.stock END,
    visible = CASE WHEN e.kind = 4 THEN NOT p.visible ELSE p.visible END,
    provider = CASE WHEN e.kind <> 5 THEN p.provider
      ELSE jsonb_set(p.provider, CASE WHEN p.provider ? 'name' THEN '{name}'::text[] ELSE '{provider_name}'::text[] END,
        to_jsonb(coalesce(nullif(btrim(coalesce(p.provider ->> 'name', p.provider ->> 'provider_name')), ''), 'Proveedor')
          || ' Internacional')) END,
    gallery = CASE WHEN e.kind = 6 THEN p.gallery - floor(pg_temp.u($1, e.k, 5) * jsonb_array_length(p.gallery))::int
      ELSE p.gallery END,
    categories = CASE WHEN e.kind = 7 THEN jsonb_build_array(pg_temp.category($1, e.k)) ELSE p.categories END,
    updated_at = $2::date
  FROM picked e
  WHERE p.uuid = e.uuid
  RETURNING e.kind
)
SELECT kind, count(*)::int AS n FROM edited GROUP BY kind ORDER BY kind
