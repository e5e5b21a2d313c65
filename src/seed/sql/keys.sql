-- A product's natural key as the legacy scraper spelled it: platform, country, external_id.
-- Platform types: 1 DROPI 2 ALICLICK 3 DROPLATAM 4 SEVENTY_BLOCK 5 WIMPY 6 EASYDROP 7 MASTERSHOP
-- 8 DROPEA 9 rocketfy (excluded) 10 unknown. Countries: 1..10 the contract's codes, 11 invalid.
-- Spellings put the canonical one first; every list has at least 3 entries (see key_of).

CREATE FUNCTION pg_temp.platform_spellings(t int) RETURNS text[]
LANGUAGE sql STABLE AS
$$ SELECT CASE t
  WHEN 1 THEN '{dropi," Dropi","DROPI ",Dropi,dRoPi}'::text[]
  WHEN 2 THEN '{aliclick,Aliclick,"ALICLICK "}'::text[]
  WHEN 3 THEN '{droplatam,Droplatam," droplatam"}'::text[]
  WHEN 4 THEN '{"seventy block",seventy_block,"Seventy  Block",SEVENTY_BLOCK}'::text[]
  WHEN 5 THEN '{wimpy,wimppy,"Wimpy "}'::text[]
  WHEN 6 THEN '{easydrop,EasyDrop,"easydrop "}'::text[]
  WHEN 7 THEN '{mastershop,MasterShop," mastershop"}'::text[]
  WHEN 8 THEN '{dropea,Dropea,DROPEA}'::text[]
  WHEN 9 THEN '{rocketfy," Rocketfy",ROCKETFY}'::text[]
  ELSE '{shopify,dropi2,Tiendanube,"woo commerce"}'::text[] END $$;

CREATE FUNCTION pg_temp.country_spellings(c int) RETURNS text[]
LANGUAGE sql STABLE AS
$$ SELECT CASE c
  WHEN 1 THEN '{CO,co,CO1," CO "}'::text[] WHEN 2 THEN '{MX,mx," MX "}'::text[]
  WHEN 3 THEN '{EC,ec," EC "}'::text[] WHEN 4 THEN '{CL,cl," CL "}'::text[]
  WHEN 5 THEN '{PE,pe," PE "}'::text[] WHEN 6 THEN '{PA,pa," PA "}'::text[]
  WHEN 7 THEN '{GT,gt," GT "}'::text[] WHEN 8 THEN '{PY,py," PY "}'::text[]
  WHEN 9 THEN '{AR,ar," AR "}'::text[] WHEN 10 THEN '{ES,es," ES "}'::text[]
  ELSE '{XX,Colombia,"",C0}'::text[] END $$;

-- LATAM-heavy: CO 38 %, MX 14 %, ... ES 5.5 %, invalid 0.5 %. Platforms: Dropi 52 %, rocketfy 5 %, unknown 2 %.
CREATE FUNCTION pg_temp.key_type(s bigint, k bigint) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.draw(s, k, 1, '{.52,.57,.62,.71,.78,.83,.88,.93,.98}', 1) $$;

CREATE FUNCTION pg_temp.key_country(s bigint, k bigint) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.draw(s, k, 2, '{.38,.52,.61,.69,.77,.81,.86,.89,.94,.995}', 1) $$;

CREATE FUNCTION pg_temp.external_id(t int, k bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN t = 7 THEN 'MS' || (100000 + k) ELSE (100000 + k)::text END $$;

-- About 1 % of products are collision twins: same key as an earlier product, spelled differently.
-- Among the first 120, every 13th is one, so small databases hold collisions of every kind.
CREATE FUNCTION pg_temp.twin_candidate(s bigint, k bigint) RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN k <= 120 THEN k % 13 = 6 ELSE pg_temp.u(s, k, 3) < 0.012 END $$;

-- Whether product k can be a twin's target: not a twin itself, known platform, valid country.
CREATE FUNCTION pg_temp.twin_target_ok(s bigint, k bigint) RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT k >= 1 AND NOT pg_temp.twin_candidate(s, k)
  AND pg_temp.key_type(s, k) <= 9 AND pg_temp.key_country(s, k) <= 10 $$;

-- The product whose key n carries: n itself, or for a twin the first acceptable of three of the
-- 8 before it (among 3 consecutive keys of the first 120 one always is). A twin's spelling is its
-- target's shifted by the distance d (1..8) in the space of at least 3 x 3 spellings, so no two
-- rows of one key ever spell it identically and the unique constraint holds.
-- (No subquery here: a SQL function with one cannot be inlined, and is then far slower.)
CREATE FUNCTION pg_temp.key_of_d(s bigint, n bigint, d int) RETURNS bigint
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN pg_temp.twin_target_ok(s, n - d) THEN n - d END $$;

CREATE FUNCTION pg_temp.key_of(s bigint, n bigint) RETURNS bigint
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN NOT pg_temp.twin_candidate(s, n) THEN n
  ELSE coalesce(pg_temp.key_of_d(s, n, 1 + floor(pg_temp.u(s, n, 4) * 8)::int % 8),
                pg_temp.key_of_d(s, n, 1 + (floor(pg_temp.u(s, n, 4) * 8)::int + 1) % 8),
                pg_temp.key_of_d(s, n, 1 + (floor(pg_temp.u(s, n, 4) * 8)::int + 2) % 8), n) END $$;

-- Most products changed within the last 3 days; the rest up to ~14 months ago. A twin's date is
-- its target's (a tie broken by uuid), later, or earlier; the first 120 cycle through the three.
CREATE FUNCTION pg_temp.base_updated_at(s bigint, k bigint, as_of date) RETURNS date
LANGUAGE sql STABLE AS
$$ SELECT as_of - CASE WHEN pg_temp.u(s, k, 10) < 0.4 THEN floor(pg_temp.u(s, k, 11) * 3)
  ELSE floor(pg_temp.u(s, k, 11) ^ 2 * 420) END::int $$;

-- 1 same day as the target, 2 later, 3 earlier.
CREATE FUNCTION pg_temp.twin_relation(s bigint, n bigint) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN n <= 120 THEN (n / 13 % 3 + 1)::int ELSE pg_temp.draw(s, n, 12, '{.35,.75}', 1) END $$;

CREATE FUNCTION pg_temp.updated_at(s bigint, n bigint, k bigint, as_of date) RETURNS date
LANGUAGE sql STABLE AS
$$ SELECT CASE
  WHEN n = k OR pg_temp.twin_relation(s, n) = 1 THEN pg_temp.base_updated_at(s, k, as_of)
  WHEN pg_temp.twin_relation(s, n) = 2 AND pg_temp.base_updated_at(s, k, as_of) < as_of
    THEN least(as_of, pg_temp.base_updated_at(s, k, as_of) + 1 + floor(pg_temp.u(s, n, 9) * 60)::int)
  ELSE pg_temp.base_updated_at(s, k, as_of) - 1 - floor(pg_temp.u(s, n, 9) * 90)::int END $$;

-- Days of history: 3 % none, 2.5 % long (150..700), the rest short (exponential, mean ~17).
CREATE FUNCTION pg_temp.history_length(s bigint, n bigint) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN pg_temp.u(s, n, 13) < 0.03 THEN 0
  WHEN pg_temp.u(s, n, 13) < 0.055 THEN 150 + floor(pg_temp.u(s, n, 14) * 551)::int
  ELSE least(150, 1 + floor(-ln(1 - pg_temp.u(s, n, 14)) * 17)::int) END $$;

-- A plausible price in the country's currency (an invalid country prices like CO).
CREATE FUNCTION pg_temp.base_price(s bigint, k bigint, cc int) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT round((('{15000,99,5,5000,15,5,50,50000,5000,5,15000}'::float8[])[cc]
  * (('{12,15.2,16,12,20,16,12,10,24,18,12}'::float8[])[cc]) ^ pg_temp.u(s, k, 22))::numeric,
  ('{-2,0,2,-1,1,2,0,-3,-1,2,-2}'::int[])[cc])::float8 $$;
