-- Re-scrapes of past days: a copy of ~$3/5 of the history rows (none of the day $2), half of them
-- with more sold_units than the original, so the kept row of a day can change. $1 is the day's seed.
INSERT INTO history (uuid, external_product_id, country, platform, date, stock, sale_price,
  sales_amount, sold_units, stock_adjustment, stock_adjustment_reason)
SELECT pg_temp.row_uuid($1, 'rescrape:' || h.uuid), h.external_product_id, h.country, h.platform, h.date,
  h.stock, h.sale_price,
  CASE WHEN x.more THEN h.sales_amount + h.sale_price * x.extra ELSE h.sales_amount END,
  CASE WHEN x.more THEN h.sold_units + x.extra ELSE h.sold_units END,
  h.stock_adjustment, h.stock_adjustment_reason
FROM history h
CROSS JOIN LATERAL (SELECT pg_temp.u($1, pg_temp.row_key(h.uuid), 22) < 0.5 AS more,
  1 + floor(pg_temp.u($1, pg_temp.row_key(h.uuid), 23) * 3) AS extra) x
WHERE pg_temp.u($1, pg_temp.row_key(h.uuid), 21) < $3::float8 / 5
  AND pg_temp.history_day(h.date) IS DISTINCT FROM $2::date::text
