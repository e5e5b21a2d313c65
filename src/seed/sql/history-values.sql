-- Per-row pieces of a history row, each from one 64-bit hash h (see bits()).

-- The scraper's date text: mostly 'YYYY-MM-DD', some ISO timestamps, some 'DD/MM/YYYY', and
-- 0.5 % garbage: empty, impossible, pre-2015, after 2099 or in no accepted format.
CREATE FUNCTION pg_temp.history_date(h bigint, d date) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE
  WHEN pg_temp.bits(h, 0) < 0.9 THEN d::text
  WHEN pg_temp.bits(h, 0) < 0.935
    THEN to_char(d + floor(pg_temp.bits(h, 1) * 86400000)::int * interval '1 millisecond', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  WHEN pg_temp.bits(h, 0) < 0.955
    THEN to_char(d + floor(pg_temp.bits(h, 1) * 86400)::int * interval '1 second', 'YYYY-MM-DD HH24:MI:SS')
  WHEN pg_temp.bits(h, 0) < 0.995 THEN to_char(d, 'DD/MM/YYYY')
  ELSE pg_temp.pick('{"",N/A,2024-13-45,31/02/2024,2023-02-29,2014-12-31,"null",15/08/2014,2014-06-30T10:00:00.000Z,05-03-2024,2100-01-01,9999-12-31T00:00:00.000Z}',
                    pg_temp.bits(h, 2)) END $$;

-- stock_adjustment: 85 % false, 10 % NULL, 5 % true.
CREATE FUNCTION pg_temp.history_adjustment(h bigint) RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN pg_temp.bits(h, 0) < 0.05 THEN true WHEN pg_temp.bits(h, 0) < 0.15 THEN NULL ELSE false END $$;

-- A reason for most adjustments (some padded, empty or missing); stray blanks elsewhere.
CREATE FUNCTION pg_temp.history_reason(h bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE
  WHEN pg_temp.bits(h, 0) < 0.05 THEN CASE WHEN pg_temp.bits(h, 1) < 0.1 THEN NULL
    ELSE pg_temp.pick('{"Ajuste manual","  Devolución de proveedor  ","Conteo físico","",Merma,"Producto dañado "}', pg_temp.bits(h, 1)) END
  WHEN pg_temp.bits(h, 1) < 0.02 THEN ''
  WHEN pg_temp.bits(h, 1) < 0.03 THEN '   '
  END $$;

-- The day's price: the product's, 10 % of days moved by up to ±15 %.
CREATE FUNCTION pg_temp.history_price(price float8, h bigint) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN pg_temp.bits(h, 0) < 0.1 THEN round(price * (0.85 + 0.3 * pg_temp.bits(h, 1)) * 100) / 100 ELSE price END $$;

-- Units sold that day around the product's daily rate; 0.2 % with a stray half unit.
CREATE FUNCTION pg_temp.history_sold(rate float8, h bigint) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT floor(rate * 2 * pg_temp.bits(h, 0)) + CASE WHEN pg_temp.bits(h, 1) < 0.002 THEN 0.5 ELSE 0 END $$;
