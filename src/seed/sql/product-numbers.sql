-- Money, stock and unit columns of product n: plausible values with the contract's bad numbers.

-- sale_price: NaN 0.1 %, Infinity 0.05 %, -Infinity 0.05 %, negative 0.15 % (all → invalid_price).
CREATE FUNCTION pg_temp.sale_price(s bigint, n bigint, price float8) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 80, '{.9965,.9975,.998,.9985}', 1)
  WHEN 1 THEN price WHEN 2 THEN 'NaN'::float8 WHEN 3 THEN 'Infinity'::float8
  WHEN 4 THEN '-Infinity'::float8 ELSE -price END $$;

-- 70 % none, 23 % a few, halves (2.5) and other fractions, 1 % bad numbers (some beyond the
-- integer range), a few large.
CREATE FUNCTION pg_temp.variations_amount(s bigint, n bigint) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 81, '{.70,.93,.955,.975,.985}', 1)
  WHEN 1 THEN 0
  WHEN 2 THEN 1 + floor(pg_temp.u(s, n, 82) * 12)
  WHEN 3 THEN ('{0.5,1.5,2.5,3.5}'::float8[])[1 + floor(pg_temp.u(s, n, 82) * 4)::int]
  WHEN 4 THEN ('{0.25,1.75,2.4,3.6,0.49}'::float8[])[1 + floor(pg_temp.u(s, n, 82) * 5)::int]
  WHEN 5 THEN ('{NaN,Infinity,-Infinity,-2,-2.5,1e12,2147483647.5}'::float8[])[1 + floor(pg_temp.u(s, n, 82) * 7)::int]
  ELSE 13 + floor(pg_temp.u(s, n, 82) * 28) END $$;

-- A figure: 0.3 % with a stray half (x.5), 0.3 % bad: NaN, Infinity, -Infinity, negative.
-- Written as v * m + a so that v appears once and an expression passed for it does not stop inlining.
CREATE FUNCTION pg_temp.figure(s bigint, n bigint, salt int, v float8) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT v * CASE WHEN pg_temp.draw(s, n, salt, '{.994,.997,.9982,.9988,.9991}', 1) = 6 THEN -1 ELSE 1 END
  + ('{0,0.5,NaN,Infinity,-Infinity,-1}'::float8[])[pg_temp.draw(s, n, salt, '{.994,.997,.9982,.9988,.9991}', 1)] $$;
