-- The gallery column: every URL form MAPPING.md's multimedia rules tell apart. An item's key is
-- n * 16 + position (1-based).

CREATE FUNCTION pg_temp.image_file(s bigint, key bigint, ext text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT 'products/' || ext || '/' || to_hex(pg_temp.h(s, key, 60) & 1099511627775)
  || pg_temp.pick('{.jpg,.jpg,.png,.webp,.jpeg,.JPG}', pg_temp.u(s, key, 61)) $$;

CREATE FUNCTION pg_temp.supplier_url(s bigint, key bigint, scheme text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT scheme || pg_temp.pick('{img.proveedor-andino.example,cdn.mayorista-central.example,
    static.importadora-sol.example,fotos.tienda-express.example}', pg_temp.u(s, key, 62))
  || '/media/' || to_hex(pg_temp.h(s, key, 63) & 4294967295) || pg_temp.pick('{.jpg,.png,.webp}', pg_temp.u(s, key, 64)) $$;

-- The legacy bucket in its four URL forms, any scheme, sometimes with a query or a fragment.
CREATE FUNCTION pg_temp.legacy_s3_url(s bigint, key bigint, file text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.pick('{https://,https://,https://,http://,//}', pg_temp.u(s, key, 65))
  || pg_temp.pick('{dropkiller.s3.amazonaws.com/,dropkiller.s3.us-east-1.amazonaws.com/,
    s3.amazonaws.com/dropkiller/,s3.sa-east-1.amazonaws.com/dropkiller/}', pg_temp.u(s, key, 66))
  || file || CASE WHEN pg_temp.u(s, key, 67) < 0.2 THEN '?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600'
                  WHEN pg_temp.u(s, key, 67) < 0.23 THEN '#zoom' ELSE '' END $$;

-- Item kinds: 1 relative, 2 leading '/', 3 legacy S3, 4 other bucket (some named to trip a loose
-- match), 5 CloudFront, 6 http, 7 https, 8 protocol-relative, 9 video, 10 sentinel url with a valid
-- sourceUrl, 11 sentinel with none, 12 '', 13 data:, 14 'imagen no disponible', 15 not an object,
-- 16 padded relative, 17 not a reference (blank inside, ftp:, a Windows path), 18 relative.
CREATE FUNCTION pg_temp.item_kind(s bigint, key bigint) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.draw(s, key, 68, '{.20,.25,.49,.52,.60,.68,.78,.81,.85,.90,.915,.93,.94,.95,.96,.98,.99}', 1) $$;

CREATE FUNCTION pg_temp.item_url(s bigint, key bigint, ext text) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.item_kind(s, key)
  WHEN 2 THEN '/' || pg_temp.image_file(s, key, ext)
  WHEN 3 THEN pg_temp.legacy_s3_url(s, key, pg_temp.image_file(s, key, ext))
  WHEN 4 THEN pg_temp.pick('{https://proveedor-fotos.s3.amazonaws.com/,https://s3.amazonaws.com/catalogo-proveedor/,
    https://dropkiller-backup.s3.us-east-1.amazonaws.com/,http://s3.sa-east-1.amazonaws.com/dropkillerx/}',
    pg_temp.u(s, key, 69)) || pg_temp.image_file(s, key, ext)
  WHEN 5 THEN 'https://' || pg_temp.pick('{d39ru7awumhhs2.cloudfront.net,d33yjn72e20ec6.cloudfront.net,
    d2ob47cxeawi8a.cloudfront.net,d1x9k2m3n4p5q6.cloudfront.net}', pg_temp.u(s, key, 69)) || '/' || pg_temp.image_file(s, key, ext)
  WHEN 6 THEN pg_temp.supplier_url(s, key, 'http://')
  WHEN 7 THEN pg_temp.supplier_url(s, key, 'https://')
  WHEN 8 THEN pg_temp.supplier_url(s, key, '//')
  WHEN 9 THEN CASE floor(pg_temp.u(s, key, 69) * 5)::int
    WHEN 0 THEN 'products/' || ext || '/video-' || key || '.mp4'
    WHEN 1 THEN pg_temp.legacy_s3_url(s, key, 'products/' || ext || '/clip-' || key || '.MOV')
    WHEN 2 THEN 'https://cdn.mayorista-central.example/video/' || key || '.mp4?dl=1'
    WHEN 3 THEN '//static.importadora-sol.example/v/' || key || '.webm'
    ELSE 'http://fotos.tienda-express.example/demo-' || key || '.avi' END
  WHEN 10 THEN pg_temp.pick('{URL_NOT_FOUND,"null",undefined,"NULL",Undefined,url_not_found," null "}', pg_temp.u(s, key, 69))
  -- (the unquoted NULL is SQL NULL: a JSON null url)
  WHEN 11 THEN pg_temp.pick('{URL_NOT_FOUND,undefined,"null",NULL}', pg_temp.u(s, key, 69))
  WHEN 12 THEN ''
  WHEN 13 THEN 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
  WHEN 14 THEN 'imagen no disponible'
  WHEN 15 THEN NULL
  WHEN 16 THEN '  ' || pg_temp.image_file(s, key, ext) || ' '
  WHEN 17 THEN pg_temp.pick('{"products/1/foto 1.jpg",ftp://fotos.proveedor.example/a.jpg,C:\\fotos\\producto.jpg}', pg_temp.u(s, key, 69))
  ELSE pg_temp.image_file(s, key, ext) END $$;

-- sourceUrl: a supplier URL 75 %, else missing (NULL here), JSON null, '', a sentinel, padded, http.
CREATE FUNCTION pg_temp.item_source(s bigint, key bigint) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT CASE
  WHEN pg_temp.item_kind(s, key) = 10 THEN to_jsonb(pg_temp.supplier_url(s, key, 'https://'))
  WHEN pg_temp.item_kind(s, key) = 11 THEN (ARRAY[NULL, 'null', '""', '"undefined"', '"imagen no disponible"']::jsonb[])
    [1 + floor(pg_temp.u(s, key, 70) * 5)::int]
  ELSE CASE pg_temp.draw(s, key, 71, '{.75,.83,.88,.92,.95,.98}', 1)
    WHEN 1 THEN to_jsonb(pg_temp.supplier_url(s, key, 'https://'))
    WHEN 2 THEN NULL
    WHEN 3 THEN 'null'::jsonb
    WHEN 4 THEN '""'::jsonb
    WHEN 5 THEN '"URL_NOT_FOUND"'::jsonb
    WHEN 6 THEN to_jsonb('  ' || pg_temp.supplier_url(s, key, 'https://') || ' ')
    ELSE to_jsonb(pg_temp.supplier_url(s, key, 'http://')) END END $$;

-- 4 % of items after the first repeat the previous item's url.
CREATE FUNCTION pg_temp.gallery_item(s bigint, key bigint, ext text) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT CASE WHEN pg_temp.item_kind(s, key) = 15
    THEN (ARRAY[to_jsonb(pg_temp.image_file(s, key, ext)), '42', 'null', '["a.jpg"]', 'true']::jsonb[])
      [1 + floor(pg_temp.u(s, key, 72) * 5)::int]
  ELSE jsonb_strip_nulls(jsonb_build_object('sourceUrl', pg_temp.item_source(s, key))) || jsonb_build_object(
    'url', CASE WHEN key % 16 > 1 AND pg_temp.u(s, key, 73) < 0.04
      THEN coalesce(pg_temp.item_url(s, key - 1, ext), pg_temp.item_url(s, key, ext)) ELSE pg_temp.item_url(s, key, ext) END,
    'ownImage', pg_temp.item_kind(s, key) IN (1, 2, 3, 16, 18),
    'externalProductId', ext) END $$;

-- How many items a gallery has (1..8); the caller aggregates them with gallery_item.
CREATE FUNCTION pg_temp.gallery_size(s bigint, n bigint) RETURNS int
LANGUAGE sql STABLE AS
$$ SELECT 1 + floor(pg_temp.u(s, n, 75) ^ 1.5 * 8)::int $$;

-- Empty 5 %, double-encoded 2 %, broken 0.5 %, an object 0.3 %, else the items.
-- (The items come in as an argument: a function with a FROM clause is not inlined, and far slower.)
CREATE FUNCTION pg_temp.gallery(s bigint, n bigint, ext text, items jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 74, '{.05,.07,.075,.078}', 1)
  WHEN 1 THEN '[]'::jsonb
  WHEN 2 THEN to_jsonb(items::text)
  WHEN 3 THEN to_jsonb('[{"url": "products/' || ext || '/1.jpg", "sourceUrl": "https://')
  WHEN 4 THEN pg_temp.gallery_item(s, n * 16 + 1, ext)
  ELSE items END $$;
