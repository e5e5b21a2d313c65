-- Names, descriptions and categories of a product (key n).

-- 2.5 % with runs of blanks, 1.5 % padded, 1 % with tabs or newlines, 0.4 % empty or blank.
CREATE FUNCTION pg_temp.product_name(s bigint, n bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 30, '{.95,.975,.99,.996}', 1)
  WHEN 1 THEN pg_temp.plain_name(s, n)
  WHEN 2 THEN replace(pg_temp.plain_name(s, n), ' ', '   ')
  WHEN 3 THEN '  ' || pg_temp.plain_name(s, n) || ' '
  WHEN 4 THEN replace(pg_temp.plain_name(s, n), ' ', E'\t') || E'\n'
  ELSE pg_temp.pick('{"","   "}', pg_temp.u(s, n, 31)) END $$;

CREATE FUNCTION pg_temp.plain_name(s bigint, n bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.pick('{Organizador,Lámpara,Audífonos,Faja,Masajeador,Cepillo,Termo,"Mini Proyector",Reloj,
    Cargador,"Set de Cuchillos",Humidificador,Almohada,Soporte,Bolso,Cámara,Licuadora,Rodillo,Parlante,
    "Corrector de Postura",Difusor,Tapete,Botella,Lonchera,Aspiradora,Gorra,Camiseta,Collar}', pg_temp.u(s, n, 32))
  || ' ' || pg_temp.pick('{LED,Bluetooth,Inteligente,Portátil,Plegable,Magnético,Recargable,Ergonómico,
    Eléctrico,"3 en 1",Premium,Antideslizante,Térmico,Infantil,"para Mascotas",Deportivo}', pg_temp.u(s, n, 33))
  || pg_temp.pick('{"","",""," Pro"," x2"," Negro"," Rosado"," 500ml"," XL"," 2.0"}', pg_temp.u(s, n, 34)) $$;

-- 20 % NULL, 4 % empty, 2 % blank, 4 % padded.
CREATE FUNCTION pg_temp.product_description(s bigint, n bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 35, '{.20,.24,.26,.30}', 1)
  WHEN 1 THEN NULL WHEN 2 THEN '' WHEN 3 THEN '   '
  WHEN 4 THEN E'  ' || pg_temp.plain_description(s, n) || E'  \n'
  ELSE pg_temp.plain_description(s, n) END $$;

CREATE FUNCTION pg_temp.plain_description(s bigint, n bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT pg_temp.plain_name(s, n) || '. ' || pg_temp.pick('{"Envío gratis a todo el país.",
  "Ideal para regalar.","Producto original con garantía de 3 meses.","Material resistente y fácil de limpiar.",
  "Últimas unidades disponibles.","Pago contra entrega."}', pg_temp.u(s, n, 36)) $$;

-- A category name: 75 % a base category in some case/accent form, 17 % an alias, 8 % unknown.
CREATE FUNCTION pg_temp.category_name(s bigint, k bigint) RETURNS text
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, k, 40, '{.75,.92}', 1)
  WHEN 1 THEN pg_temp.pick('{Hogar,hogar,HOGAR,"  Hogar ",Belleza,belleza,Salud,salud,Tecnología,tecnologia,
    TECNOLOGÍA,Tecnologia,Mascotas,mascotas,Juguetería,jugueteria,Deportes,deportes,Moda,MODA,Bebés,bebes,
    Cocina,cocina,Herramientas,Vehículos,vehiculos,Oficina,Electrodomésticos,electrodomesticos,Accesorios,Otro}',
    pg_temp.u(s, k, 41))
  WHEN 2 THEN pg_temp.pick('{"bienestar y salud","Bienestar y Salud",vehiculo,"cuidado personal","Cuidado  Personal",
    "belleza cuidado personal",capilar,libros,juegos,juguetes,halloween,Navidad,navidad,desarrollo,importados}',
    pg_temp.u(s, k, 42))
  ELSE pg_temp.pick('{Ofertas,Varios,Temporada,Novedades,Gadgets,Bisutería,"Sin categoría"}', pg_temp.u(s, k, 43)) END $$;

CREATE FUNCTION pg_temp.category(s bigint, k bigint) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT jsonb_build_object('name', pg_temp.category_name(s, k), 'externalId',
  CASE WHEN pg_temp.u(s, k, 44) < 0.1 THEN to_jsonb(floor(pg_temp.u(s, k, 45) * 60)::int)
       ELSE to_jsonb((1 + floor(pg_temp.u(s, k, 45) * 60)::int)::text) END) $$;

-- The categories column: one element 72 %, 2-3 elements, empty 4 %, first element without name or
-- with a null name, double-encoded 3 %, broken 0.5 %, an object instead of an array 0.2 %.
CREATE FUNCTION pg_temp.categories(s bigint, n bigint) RETURNS jsonb
LANGUAGE sql STABLE AS
$$ SELECT CASE pg_temp.draw(s, n, 46, '{.72,.84,.88,.90,.905,.935,.94,.942}', 1)
  WHEN 1 THEN jsonb_build_array(pg_temp.category(s, n * 8))
  WHEN 2 THEN jsonb_build_array(pg_temp.category(s, n * 8), pg_temp.category(s, n * 8 + 1), pg_temp.category(s, n * 8 + 2))
  WHEN 3 THEN '[]'::jsonb
  WHEN 4 THEN jsonb_build_array(pg_temp.category(s, n * 8) - 'name', pg_temp.category(s, n * 8 + 1))
  WHEN 5 THEN jsonb_build_array(jsonb_set(pg_temp.category(s, n * 8), '{name}', 'null'))
  WHEN 6 THEN to_jsonb(jsonb_build_array(pg_temp.category(s, n * 8))::text)
  WHEN 7 THEN to_jsonb('[{"name": "' || pg_temp.category_name(s, n * 8) || '", "externalId": "1')
  WHEN 8 THEN pg_temp.category(s, n * 8)
  ELSE jsonb_build_array(pg_temp.category(s, n * 8)) END $$;
