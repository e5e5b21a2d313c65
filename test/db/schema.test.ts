import type pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli, type CliResult } from "../support/cli"
import { settledConnections } from "../support/leaks"
import { databaseUrl, dropDatabase, queryRows } from "../support/pg"

// The v3 schema and reference data exactly as MAPPING.md ("v3 schema") gives them, written out by hand.
const name = `t_schema_${Date.now().toString(36)}`
const url = databaseUrl(name)
const env = { ...process.env, PRODUCTS_DATABASE_URL: url }
let first: CliResult
let second: CliResult

const query = <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => queryRows<T>(url, sql)

/** Columns of the contract's tables as "name type null|not null", in table order. */
const columns = () =>
  query<{ t: string; c: string }>(`
    SELECT table_name AS t, column_name || ' ' || CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END
           || CASE WHEN data_type LIKE 'timestamp%' THEN '(' || datetime_precision || ')' ELSE '' END
           || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END AS c
    FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`)

const constraints = () =>
  query<{ t: string; def: string }>(`
    SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f') ORDER BY 1, 2`)

beforeAll(async () => {
  first = await runCli("scripts/db-migrate.ts", [], env, 120_000)
  second = await runCli("scripts/db-migrate.ts", [], env, 120_000)
}, 240_000)

afterAll(async () => {
  expect(await settledConnections([name])).toBe(0)
  await dropDatabase(name)
})

describe("db:migrate", () => {
  it("creates the database, the schema and the reference data, then is a no-op when run again", async () => {
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/v3 schema up to date at .* \(database created\); reference rows changed: 34/)
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/reference rows changed: 0$/m)
    expect(second.stdout).not.toContain("database created")
  })

  it("holds the contract's reference data: 10 countries, 8 platforms, 16 base categories", async () => {
    expect(await query("SELECT code, name, currency FROM countries ORDER BY code")).toEqual(
      [["AR", "Argentina", "ARS"], ["CL", "Chile", "CLP"], ["CO", "Colombia", "COP"], ["EC", "Ecuador", "USD"],
        ["ES", "España", "EUR"], ["GT", "Guatemala", "GTQ"], ["MX", "México", "MXN"], ["PA", "Panamá", "USD"],
        ["PE", "Perú", "PEN"], ["PY", "Paraguay", "PYG"]].map(([code, n, currency]) => ({ code, name: n, currency })),
    )
    expect(await query("SELECT type::text AS type, name FROM platforms ORDER BY platforms.type")).toEqual(
      [["DROPI", "Dropi"], ["ALICLICK", "Aliclick"], ["DROPLATAM", "Droplatam"], ["SEVENTY_BLOCK", "Seventy Block"], ["WIMPY", "Wimpy"],
        ["EASYDROP", "Easydrop"], ["MASTERSHOP", "Mastershop"], ["DROPEA", "Dropea"]].map(([type, n]) => ({ type, name: n })),
    )
    const categories = (await query<{ name: string }>("SELECT name FROM base_categories")).map((r) => r.name).sort()
    expect(categories).toEqual(["Accesorios", "Bebés", "Belleza", "Cocina", "Deportes", "Electrodomésticos", "Herramientas", "Hogar",
      "Juguetería", "Mascotas", "Moda", "Oficina", "Otro", "Salud", "Tecnología", "Vehículos"].sort())
  })

  it("defines the enums and the tables' columns, types and nullability the contract names", async () => {
    const enums = await query<{ t: string; v: string[] }>(
      "SELECT t.typname AS t, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS v FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY 1 ORDER BY 1")
    expect(enums).toEqual([
      { t: "platform_type", v: ["DROPI", "ALICLICK", "DROPLATAM", "SEVENTY_BLOCK", "WIMPY", "EASYDROP", "MASTERSHOP", "DROPEA"] },
      { t: "product_status", v: ["ACTIVE", "INACTIVE", "BLOCKED"] },
    ])
    const byTable = new Map<string, string[]>()
    for (const { t, c } of await columns()) byTable.set(t, [...(byTable.get(t) ?? []), c])
    const d = (names: string) => names.split(" ").map((n) => `${n} double precision not null`)
    expect(Object.fromEntries(byTable)).toEqual({
      countries: ["id text not null", "code text not null", "name text not null", "currency text not null"],
      platforms: ["id text not null", "name text not null", "type platform_type not null"],
      base_categories: ["id text not null", "name text not null"],
      platform_countries: ["id text not null", "platform_id text not null", "country_id text not null"],
      providers: ["id text not null", "platform_country_id text not null", "external_id text not null", "name text not null", "verified boolean not null"],
      products: ["id text not null", "external_id text not null", "name text not null", "description text",
        ...d("sale_price suggested_price stock total_billing billing_last_7_days billing_last_30_days total_sold_units sold_units_last_7_days sold_units_last_30_days"),
        "variations_amount integer not null", "score integer not null", "status product_status not null", "platform_country_id text not null",
        "base_category_id text not null", "provider_id text not null", "created_at timestamp without time zone(3) not null", "updated_at timestamp without time zone(3) not null"],
      multimedia: ["id text not null", "product_id text not null", "position integer not null", "type text not null", "url text not null", "original_url text", "extracted boolean not null"],
      histories: ["id text not null", "product_id text not null", "date date not null",
        ...d("stock sale_price suggested_price sold_units billing sold_units_last_7_days sold_units_last_30_days total_sold_units billing_last_7_days billing_last_30_days total_billing"),
        "stock_adjustment boolean not null", "stock_adjustment_reason text", "filled boolean not null"],
    })
  })

  it("enforces the contract's keys and foreign keys", async () => {
    const defs = (await constraints()).map((r) => `${r.t}: ${r.def}`)
    for (const expected of [
      "countries: PRIMARY KEY (id)", "countries: UNIQUE (code)",
      "platforms: PRIMARY KEY (id)", "platforms: UNIQUE (type)",
      "base_categories: PRIMARY KEY (id)", "base_categories: UNIQUE (name)",
      "platform_countries: UNIQUE (platform_id, country_id)",
      "platform_countries: FOREIGN KEY (platform_id) REFERENCES platforms(id)", "platform_countries: FOREIGN KEY (country_id) REFERENCES countries(id)",
      "providers: UNIQUE (external_id, platform_country_id)", "providers: FOREIGN KEY (platform_country_id) REFERENCES platform_countries(id)",
      "products: PRIMARY KEY (id)", "products: UNIQUE (external_id, platform_country_id)",
      "products: FOREIGN KEY (platform_country_id) REFERENCES platform_countries(id)", "products: FOREIGN KEY (base_category_id) REFERENCES base_categories(id)",
      "products: FOREIGN KEY (provider_id) REFERENCES providers(id)",
      "multimedia: PRIMARY KEY (id)", "multimedia: UNIQUE (product_id, \"position\")", "multimedia: FOREIGN KEY (product_id) REFERENCES products(id)",
      "histories: PRIMARY KEY (id)", "histories: UNIQUE (product_id, date)", "histories: FOREIGN KEY (product_id) REFERENCES products(id)",
    ]) expect(defs, expected).toContain(expected)
    // Foreign keys are real: not deferred, not NOT VALID.
    const weak = await query("SELECT conname FROM pg_constraint WHERE contype = 'f' AND (NOT convalidated OR condeferred)")
    expect(weak).toEqual([])
  })
})
