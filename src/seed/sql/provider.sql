-- The provider column of product n. Providers come from a pool of about nprod/150 (skewed, so a
-- few serve many products); the same external id within a platform-country is one v3 provider,
-- and its products spell its name and verified flag differently, so "latest updated_at wins"
-- decides something.

CREATE FUNCTION pg_temp.provider_pid(s bigint, n bigint, nprod bigint) RETURNS bigint
LANGUAGE sql STABLE AS
$$ SELECT floor(pg_temp.u(s, n, 50) ^ 2 * greatest(3, nprod / 150))::bigint $$;

CREATE FUNCTION pg_temp.provider_base_name(s bigint, pid bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.pick('{Importadora,Distribuidora,Comercializadora,Tienda,Bodega,Mayorista,Grupo,Inversiones}',
    pg_temp.u(s, pid, 51))
  || ' ' || pg_temp.pick('{Andina,"del Sur",Pacífico,Global,Express,Latam,Norte,Central,Estrella,Sol,Milenio}',
    pg_temp.u(s, pid, 52)) $$;

-- The name this product row carries: the base 70 %, variants, 4 % null, 3 % empty.
CREATE FUNCTION pg_temp.provider_name(s bigint, n bigint, pid bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 53, '{.70,.80,.87,.92,.96,.99}', 1)
  WHEN 1 THEN pg_temp.provider_base_name(s, pid)
  WHEN 2 THEN pg_temp.provider_base_name(s, pid) || ' S.A.S.'
  WHEN 3 THEN upper(pg_temp.provider_base_name(s, pid))
  WHEN 4 THEN '  ' || replace(pg_temp.provider_base_name(s, pid), ' ', '   ') || ' '
  WHEN 5 THEN NULL
  WHEN 6 THEN ''
  ELSE pg_temp.provider_base_name(s, pid) END $$;

CREATE FUNCTION pg_temp.provider_verified(s bigint, n bigint, pid bigint) RETURNS boolean
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN pg_temp.u(s, n, 54) < 0.85 THEN pg_temp.u(s, pid, 55) < 0.6 ELSE pg_temp.u(s, n, 56) < 0.5 END $$;

CREATE FUNCTION pg_temp.provider_camel(name text, ext jsonb, verified boolean) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT jsonb_build_object('name', name, 'externalId', ext, 'verified', verified) $$;

-- Shapes: camelCase with a string id 60 %, or a numeric one; snake_case with a numeric id 20 %, or a
-- string one; externalId null beside external_id; a padded id; {}; no id; double-encoded; broken.
-- pid comes from provider_pid: a function with a FROM clause is not inlined and runs far slower.
CREATE FUNCTION pg_temp.provider(s bigint, n bigint, pid bigint) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 57, '{.60,.68,.88,.92,.93,.94,.955,.96,.985,.99}', 1)
  WHEN 1 THEN pg_temp.provider_camel(pg_temp.provider_name(s, n, pid), to_jsonb((1000 + pid)::text), pg_temp.provider_verified(s, n, pid))
  WHEN 2 THEN pg_temp.provider_camel(pg_temp.provider_name(s, n, pid), to_jsonb(1000 + pid), pg_temp.provider_verified(s, n, pid))
  WHEN 3 THEN jsonb_build_object('provider_name', pg_temp.provider_name(s, n, pid), 'external_id', 1000 + pid,
    'verified', pg_temp.provider_verified(s, n, pid))
  WHEN 4 THEN jsonb_build_object('provider_name', pg_temp.provider_name(s, n, pid), 'external_id', (1000 + pid)::text,
    'verified', pg_temp.provider_verified(s, n, pid))
  WHEN 5 THEN pg_temp.provider_camel(pg_temp.provider_name(s, n, pid), 'null', pg_temp.provider_verified(s, n, pid))
    || jsonb_build_object('external_id', 1000 + pid)
  WHEN 6 THEN pg_temp.provider_camel(pg_temp.provider_name(s, n, pid), to_jsonb(' ' || (1000 + pid) || ' '), pg_temp.provider_verified(s, n, pid))
  WHEN 7 THEN '{}'::jsonb
  WHEN 8 THEN jsonb_build_object('name', pg_temp.provider_name(s, n, pid), 'verified', pg_temp.provider_verified(s, n, pid))
  WHEN 9 THEN to_jsonb(pg_temp.provider_camel(pg_temp.provider_name(s, n, pid), to_jsonb((1000 + pid)::text),
    pg_temp.provider_verified(s, n, pid))::text)
  WHEN 10 THEN to_jsonb('{"name": "' || pg_temp.provider_base_name(s, pid) || '", "externalId": "' || (1000 + pid))
  ELSE pg_temp.provider_camel(pg_temp.provider_name(s, n, pid), to_jsonb((1000 + pid)::text), pg_temp.provider_verified(s, n, pid)) END $$;
