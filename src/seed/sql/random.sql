-- Pseudo-randomness for the seeder. Every value is a hash of (seed, key, salt), so the data
-- depends only on the parameters: never on the clock, the plan or the order rows are made in.
-- The functions live in pg_temp (gone with the session, no trace in the schema) and are single
-- SELECT expressions so the planner inlines them: a real call per history row would be too slow.

-- Uniform in [0, 1). Salts stay below 1000 so (seed, salt) pairs never share a hash seed.
CREATE FUNCTION pg_temp.u(s bigint, k bigint, salt int) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT (hashint8extended(k, s * 1000 + salt) & 4294967295)::float8 / 4294967296 $$;

-- A 64-bit hash, for callers that slice several 16-bit uniforms out of one value with bits().
-- hashint8extended folds k to 32 bits: keys that must stay distinct stay below 2^32.
CREATE FUNCTION pg_temp.h(s bigint, k bigint, salt int) RETURNS bigint
LANGUAGE sql STABLE AS
$$ SELECT hashint8extended(k, s * 1000 + salt) $$;

CREATE FUNCTION pg_temp.bits(h bigint, slot int) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT ((h >> (16 * slot)) & 65535)::float8 / 65536 $$;

-- A uuid from two hashes (salts `salt` and `salt + 1`); the top bit of each half is set so
-- to_hex always gives 16 digits.
-- (md5() per row is about three times slower, which matters at 11M history rows.)
CREATE FUNCTION pg_temp.uuid(s bigint, k bigint, salt int) RETURNS uuid
LANGUAGE sql STABLE AS
$$ SELECT (to_hex(hashint8extended(k, s * 1000 + salt) | (-9223372036854775808)::bigint)
        || to_hex(hashint8extended(k, s * 1000 + salt + 1) | (-9223372036854775808)::bigint))::uuid $$;

-- A category 1..cardinality(cum)+1 by cumulative weights. Among the first 120 keys the categories
-- cycle instead (from a seed-chosen offset, advancing every `period` keys) so even a small database
-- holds every rare quirk; `period` lets a nested choice (the spelling of a platform) cycle within
-- each value of the choice above it.
CREATE FUNCTION pg_temp.draw(s bigint, k bigint, salt int, cum float8[], period int) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN k <= 120
  THEN 1 + ((k / period + floor(pg_temp.u(s, 0, salt) * 1000)::bigint) % (cardinality(cum) + 1))::int
  ELSE 1 + width_bucket(pg_temp.u(s, k, salt), cum) END $$;

CREATE FUNCTION pg_temp.pick(a text[], x float8) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT a[1 + floor(x * cardinality(a))::int] $$;

-- v, or with probability `rate` a bad number (MAPPING.md): NaN, Infinity, -Infinity or negative.
-- v appears once so that an expression passed for it does not stop inlining.
CREATE FUNCTION pg_temp.bad(v float8, x float8, rate float8) RETURNS float8
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN x >= rate THEN v
  WHEN x < rate * 0.4 THEN 'NaN'::float8
  WHEN x < rate * 0.55 THEN 'Infinity'::float8
  WHEN x < rate * 0.65 THEN '-Infinity'::float8
  ELSE -1 - floor(x / rate * 100) END $$;

-- Weights for a spelling choice: the first (canonical) spelling 80 %, the variants share the rest.
CREATE FUNCTION pg_temp.spelling_cum(len int) RETURNS float8[]
LANGUAGE sql STABLE AS
$$ SELECT CASE len WHEN 3 THEN '{.8,.9}'::float8[] WHEN 4 THEN '{.8,.8667,.9333}'::float8[]
  ELSE '{.8,.85,.9,.95}'::float8[] END $$;
