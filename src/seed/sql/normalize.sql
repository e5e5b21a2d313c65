-- The contract's reading of a natural key (MAPPING.md, Products rules 2-3), for --apply-changes,
-- which picks products by what the pipeline will make of them. Indexes as in keys.sql.

CREATE FUNCTION pg_temp.normalized(t text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT btrim(regexp_replace(t, '\s+', ' ', 'g')) $$;

-- 1..8 the v3 platform types, 9 rocketfy (excluded by default), NULL unknown.
CREATE FUNCTION pg_temp.platform_index(platform text) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.normalized(replace(lower(platform), '_', ' '))
  WHEN 'dropi' THEN 1 WHEN 'aliclick' THEN 2 WHEN 'droplatam' THEN 3 WHEN 'seventy block' THEN 4
  WHEN 'wimpy' THEN 5 WHEN 'wimppy' THEN 5 WHEN 'easydrop' THEN 6 WHEN 'mastershop' THEN 7
  WHEN 'dropea' THEN 8 WHEN 'rocketfy' THEN 9 END $$;

-- 1..10 the contract's country codes, NULL invalid.
CREATE FUNCTION pg_temp.country_index(country text) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT array_position('{CO,MX,EC,CL,PE,PA,GT,PY,AR,ES}'::text[],
  CASE upper(pg_temp.normalized(country)) WHEN 'CO1' THEN 'CO' ELSE upper(pg_temp.normalized(country)) END) $$;

-- A product the pipeline migrates unless a collision rejects it.
CREATE FUNCTION pg_temp.migratable(platform text, country text, sale_price float8) RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT coalesce(pg_temp.platform_index(platform) <= 8, false) AND pg_temp.country_index(country) IS NOT NULL
  AND sale_price >= 0 AND sale_price < 'Infinity'::float8 $$;

-- A history date as 'YYYY-MM-DD' text when it has one of the accepted shapes (validity unchecked).
CREATE FUNCTION pg_temp.history_day(date text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN date ~ '^\d{4}-\d{2}-\d{2}' THEN left(date, 10)
  WHEN date ~ '^\d{2}/\d{2}/\d{4}$' THEN substr(date, 7, 4) || '-' || substr(date, 4, 2) || '-' || substr(date, 1, 2) END $$;

-- A stable key for an existing row, to hash per-row choices on. (hashint8extended folds its
-- argument to 32 bits, so this is no identity: new rows' uuids come from row_uuid instead.)
CREATE FUNCTION pg_temp.row_key(id uuid) RETURNS bigint
LANGUAGE sql STABLE AS
$$ SELECT hashtextextended(id::text, 0) $$;

-- The uuid of a row added by --apply-changes, from the day's seed and what the row derives from.
CREATE FUNCTION pg_temp.row_uuid(day_seed bigint, what text) RETURNS uuid
LANGUAGE sql STABLE AS
$$ SELECT md5(day_seed || ':' || what)::uuid $$;

-- One of the spellings other than `spelled` (the lists hold at least 3 distinct ones).
CREATE FUNCTION pg_temp.respell(spellings text[], spelled text, x float8) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN spellings[1 + floor(x * cardinality(spellings))::int] = spelled
  THEN spellings[1 + (floor(x * cardinality(spellings))::int + 1) % cardinality(spellings)]
  ELSE spellings[1 + floor(x * cardinality(spellings))::int] END $$;
