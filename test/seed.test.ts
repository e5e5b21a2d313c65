import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ArgError, parseArgs } from "../src/seed/args"
import { applyChanges } from "../src/seed/changes"
import { SeedError } from "../src/seed/database"
import { seedLegacy } from "../src/seed/seed"
import { createDatabase, databaseUrl, dropDatabase, queryRows } from "./support/pg"

const quiet = (): void => undefined
const made: string[] = []
const asOf = "2026-11-20"

const query = queryRows

/** A database name the seeder has to create itself. */
function freshName(): string {
  const name = `seed_test_${randomBytes(5).toString("hex")}`
  made.push(name)
  return name
}

async function seeded(products: number, seed: number): Promise<string> {
  const url = databaseUrl(freshName())
  await seedLegacy(url, { products, seed, asOf, force: false }, quiet)
  return url
}

const fingerprintSql = `SELECT
  (SELECT md5(string_agg(p::text, E'\\n' ORDER BY p.uuid)) FROM product p) AS product,
  (SELECT md5(string_agg(h::text, E'\\n' ORDER BY h.uuid)) FROM history h) AS history`

async function fingerprint(url: string): Promise<{ product: string; history: string }> {
  const [row] = await query<{ product: string; history: string }>(url, fingerprintSql)
  return row ?? { product: "", history: "" }
}

let small: string
let sameAgain: string
let otherSeed: string

beforeAll(async () => {
  small = await seeded(2000, 7)
  sameAgain = await seeded(2000, 7)
  otherSeed = await seeded(2000, 8)
})

afterAll(async () => {
  for (const name of made) await dropDatabase(name)
})

describe("seed:legacy determinism", () => {
  it("gives byte-identical tables for the same products and seed", async () => {
    expect(await fingerprint(sameAgain)).toEqual(await fingerprint(small))
  })

  it("gives different tables for another seed", async () => {
    const [a, b] = [await fingerprint(small), await fingerprint(otherSeed)]
    expect(b.product).not.toBe(a.product)
    expect(b.history).not.toBe(a.history)
  })

  it("does nothing when the database already holds the same seed", async () => {
    const before = await fingerprint(small)
    const lines: string[] = []
    const again = await seedLegacy(small, { products: 2000, seed: 7, asOf, force: false }, (l) => lines.push(l))
    expect(again.alreadySeeded).toBe(true)
    expect(lines.join("\n")).toContain("already seeded")
    expect(await fingerprint(small)).toEqual(before)
  })
})

describe("seed:legacy schema", () => {
  const catalogSql = `SELECT
    (SELECT json_agg(t ORDER BY t.tablename) FROM (SELECT tablename FROM pg_tables WHERE schemaname = 'public') t) AS tables,
    (SELECT json_agg(c ORDER BY c.table_name, c.ordinal_position) FROM (
      SELECT table_name, ordinal_position, column_name, data_type, character_maximum_length, column_default, is_nullable
      FROM information_schema.columns WHERE table_schema = 'public') c) AS columns,
    (SELECT json_agg(k ORDER BY k.rel, k.conname) FROM (
      SELECT conrelid::regclass::text AS rel, conname, contype, pg_get_constraintdef(oid) AS def, condeferrable
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace) k) AS constraints,
    (SELECT json_agg(i ORDER BY i.tablename, i.indexname) FROM (
      SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public') i) AS indexes`

  it("equals what the contract DDL creates: tables, columns, types, defaults, constraints, index names", async () => {
    const reference = await createDatabase("seed_ddl")
    made.push(reference.name)
    const ddl = readFileSync(new URL("../src/db/legacy/legacy-schema.sql", import.meta.url), "utf8")
    await query(reference.url, ddl)
    const [expected] = await query(reference.url, catalogSql)
    const [actual] = await query(small, catalogSql)
    expect(actual).toEqual(expected)
  })
})

/** The contract's reading of a key (MAPPING.md rules 2-3), written independently of the seeder. */
const normPlatform = (col: string): string => `lower(btrim(regexp_replace(replace(${col}, '_', ' '), '\\s+', ' ', 'g')))`
const normCountry = (col: string): string =>
  `(CASE upper(btrim(${col})) WHEN 'CO1' THEN 'CO' ELSE upper(btrim(${col})) END)`
const productKey = `${normPlatform("p.platform")}, ${normCountry("p.country")}, p.external_id`
const historyKey = `${normPlatform("h.platform")}, ${normCountry("h.country")}, h.external_product_id`
const items = `(SELECT p.uuid, i.item, i.item ->> 'url' AS url, i.item ->> 'sourceUrl' AS source
  FROM product p CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(p.gallery) = 'array' THEN p.gallery ELSE '[]' END) i(item)) g`
const bad = (col: string): string => `(${col} = 'NaN' OR ${col} IN ('Infinity', '-Infinity') OR ${col} < 0)`
const legacyS3 = (form: string): string => `SELECT count(*) FROM ${items} WHERE url ~ '^(https?:)?//${form}'`

const spellings = {
  platform: ["dropi", " Dropi", "DROPI ", "Dropi", "dRoPi", "seventy block", "seventy_block", "Seventy  Block", "wimpy",
    "wimppy", "aliclick", "droplatam", "easydrop", "mastershop", "dropea", "rocketfy", " Rocketfy", "shopify", "dropi2"],
  country: ["CO", "co", " MX ", "CO1", "MX", "EC", "CL", "PE", "PA", "GT", "PY", "AR", "ES", "XX", "Colombia", ""],
  category: ["tecnologia", "TECNOLOGÍA", "bienestar y salud", "vehiculo", "cuidado personal", "belleza cuidado personal",
    "capilar", "libros", "juegos", "juguetes", "halloween", "navidad", "desarrollo", "importados", "Ofertas"],
  historyDate: ["", "N/A", "2024-13-45", "31/02/2024", "2023-02-29", "2014-12-31", "2100-01-01", "9999-12-31T00:00:00.000Z"],
  sentinel: ["URL_NOT_FOUND", "null", "undefined", "NULL", "Undefined"],
}

const quirks: Array<[string, string]> = [
  ...spellings.platform.map((v): [string, string] => [`platform '${v}'`, `SELECT count(*) FROM product WHERE platform = '${v}'`]),
  ...spellings.country.map((v): [string, string] => [`country '${v}'`, `SELECT count(*) FROM product WHERE country = '${v}'`]),
  ["sale_price NaN", "SELECT count(*) FROM product WHERE sale_price = 'NaN'"],
  ["sale_price Infinity", "SELECT count(*) FROM product WHERE sale_price = 'Infinity'"],
  ["sale_price -Infinity", "SELECT count(*) FROM product WHERE sale_price = '-Infinity'"],
  ["sale_price negative", "SELECT count(*) FROM product WHERE sale_price < 0 AND sale_price > '-Infinity'"],
  ...["suggested_price", "stock", "total_sales_amount", "total_sold_units", "sales_last_7_days", "sales_last_30_days",
    "sold_units_last_7_days", "sold_units_last_30_days", "variations_amount"].map((c): [string, string] => [
    `a bad number in ${c}`, `SELECT count(*) FROM product WHERE ${bad(c)}`]),
  ["a fraction in stock", "SELECT count(*) FROM product WHERE stock <> floor(stock) AND stock < 'Infinity'"],
  ["variations_amount halves", "SELECT count(*) FROM product WHERE variations_amount IN (2.5, 3.5)"],
  ["variations_amount beyond the integer range", "SELECT count(*) FROM product WHERE variations_amount > 2147483647 AND variations_amount < 'Infinity'"],
  ["variations_amount other fractions", "SELECT count(*) FROM product WHERE variations_amount IN (0.25, 1.75, 2.4, 3.6)"],
  ["names with runs of blanks", "SELECT count(*) FROM product WHERE name ~ '\\s\\s'"],
  ["empty names", "SELECT count(*) FROM product WHERE btrim(name) = ''"],
  ["null descriptions", "SELECT count(*) FROM product WHERE description IS NULL"],
  ["empty descriptions", "SELECT count(*) FROM product WHERE description = ''"],
  ["padded descriptions", "SELECT count(*) FROM product WHERE description <> btrim(description) AND btrim(description) <> ''"],
  ["categories as arrays of {name, externalId}", "SELECT count(*) FROM product WHERE categories -> 0 ? 'name' AND categories -> 0 ? 'externalId'"],
  ...spellings.category.map((v): [string, string] => [`category name '${v}'`,
    `SELECT count(*) FROM product WHERE jsonb_typeof(categories) = 'array' AND categories @> '[{"name": "${v}"}]'`]),
  ["empty category arrays", "SELECT count(*) FROM product WHERE categories = '[]'"],
  ["a first category without name", "SELECT count(*) FROM product WHERE jsonb_typeof(categories -> 0) = 'object' AND NOT categories -> 0 ? 'name'"],
  ["camelCase providers with string ids", "SELECT count(*) FROM product WHERE jsonb_typeof(provider -> 'externalId') = 'string' AND provider ? 'name'"],
  ["camelCase providers with numeric ids", "SELECT count(*) FROM product WHERE jsonb_typeof(provider -> 'externalId') = 'number'"],
  ["snake_case providers with numeric ids", "SELECT count(*) FROM product WHERE jsonb_typeof(provider -> 'external_id') = 'number' AND provider ? 'provider_name'"],
  ["snake_case providers with string ids", "SELECT count(*) FROM product WHERE jsonb_typeof(provider -> 'external_id') = 'string'"],
  ["providers with null names", "SELECT count(*) FROM product WHERE provider -> 'name' = 'null' OR provider -> 'provider_name' = 'null'"],
  ["providers with empty names", "SELECT count(*) FROM product WHERE provider ->> 'name' = '' OR provider ->> 'provider_name' = ''"],
  ["empty provider objects", "SELECT count(*) FROM product WHERE provider = '{}'"],
  ["a shared provider named and verified differently", `SELECT count(*) FROM (SELECT 1 FROM product p
    WHERE jsonb_typeof(p.provider) = 'object' AND coalesce(p.provider ->> 'externalId', p.provider ->> 'external_id') IS NOT NULL
    GROUP BY ${normPlatform("p.platform")}, ${normCountry("p.country")}, btrim(coalesce(p.provider ->> 'externalId', p.provider ->> 'external_id'))
    HAVING count(DISTINCT coalesce(p.provider ->> 'name', p.provider ->> 'provider_name')) > 1
       AND count(DISTINCT p.provider -> 'verified') > 1) x`],
  ["empty galleries", "SELECT count(*) FROM product WHERE gallery = '[]'"],
  ["relative image paths", `SELECT count(*) FROM ${items} WHERE url ~ '^products/'`],
  ["leading-slash image paths", `SELECT count(*) FROM ${items} WHERE url ~ '^/products/'`],
  ["legacy bucket URLs, BUCKET.s3.amazonaws.com", legacyS3("dropkiller\\.s3\\.amazonaws\\.com/")],
  ["legacy bucket URLs, BUCKET.s3.REGION.amazonaws.com", legacyS3("dropkiller\\.s3\\.[a-z0-9-]+\\.amazonaws\\.com/")],
  ["legacy bucket URLs, s3.amazonaws.com/BUCKET", legacyS3("s3\\.amazonaws\\.com/dropkiller/")],
  ["legacy bucket URLs, s3.REGION.amazonaws.com/BUCKET", legacyS3("s3\\.[a-z0-9-]+\\.amazonaws\\.com/dropkiller/")],
  ["legacy bucket URLs over http", `SELECT count(*) FROM ${items} WHERE url ~ '^http://[^/]*amazonaws\\.com/' AND url ~ 'dropkiller[./]'`],
  ["legacy bucket URLs protocol-relative", `SELECT count(*) FROM ${items} WHERE url ~ '^//[^/]*amazonaws\\.com/' AND url ~ 'dropkiller[./]'`],
  ["legacy bucket URLs with a query", `SELECT count(*) FROM ${items} WHERE url ~ 'amazonaws\\.com/.*dropkiller|dropkiller\\.s3' AND url LIKE '%?%'`],
  ["other buckets' URLs", `SELECT count(*) FROM ${items} WHERE url ~ 'amazonaws\\.com' AND url !~ '//(dropkiller\\.s3[.]|s3[.][a-z0-9.-]*amazonaws\\.com/dropkiller/)'`],
  ["CloudFront URLs", `SELECT count(*) FROM ${items} WHERE url ~ '^https://[a-z0-9]+\\.cloudfront\\.net/'`],
  ["plain http supplier URLs", `SELECT count(*) FROM ${items} WHERE url ~ '^http://' AND url !~ 'amazonaws|cloudfront'`],
  ["protocol-relative CDN URLs", `SELECT count(*) FROM ${items} WHERE url ~ '^//' AND url !~ 'amazonaws'`],
  ["mp4 videos", `SELECT count(*) FROM ${items} WHERE url ~ '\\.mp4($|\\?)'`],
  ["MOV videos", `SELECT count(*) FROM ${items} WHERE url ~ '\\.MOV($|\\?|#)'`],
  ...spellings.sentinel.map((v): [string, string] => [`url sentinel '${v}'`, `SELECT count(*) FROM ${items} WHERE btrim(url) = '${v}'`]),
  ["empty urls", `SELECT count(*) FROM ${items} WHERE url = ''`],
  ["data: urls", `SELECT count(*) FROM ${items} WHERE url LIKE 'data:image/%'`],
  ["'imagen no disponible'", `SELECT count(*) FROM ${items} WHERE url = 'imagen no disponible'`],
  ["an invalid url with a valid sourceUrl", `SELECT count(*) FROM ${items} WHERE upper(btrim(url)) IN ('URL_NOT_FOUND', 'NULL', 'UNDEFINED') AND source ~ '^\\s*https?://'`],
  ["gallery items that are not objects", `SELECT count(*) FROM ${items} WHERE jsonb_typeof(item) <> 'object'`],
  ["a url repeated within a gallery", `SELECT count(*) FROM (SELECT 1 FROM ${items} WHERE url IS NOT NULL GROUP BY uuid, url HAVING count(*) > 1) x`],
  ["natural-key collisions", `SELECT count(*) FROM (SELECT 1 FROM product p GROUP BY ${productKey} HAVING count(*) > 1) x`],
  ["collisions tied on updated_at", `SELECT count(*) FROM (SELECT 1 FROM product p GROUP BY ${productKey}
    HAVING count(*) > 1 AND count(DISTINCT updated_at) = 1) x`],
  ["collisions with different updated_at", `SELECT count(*) FROM (SELECT 1 FROM product p GROUP BY ${productKey}
    HAVING count(DISTINCT updated_at) > 1) x`],
  ["collisions spelling the platform differently", `SELECT count(*) FROM (SELECT 1 FROM product p GROUP BY ${productKey}
    HAVING count(DISTINCT platform) > 1) x`],
  ["collisions spelling the country differently", `SELECT count(*) FROM (SELECT 1 FROM product p GROUP BY ${productKey}
    HAVING count(DISTINCT country) > 1) x`],
  ["history spelled like its product", "SELECT count(*) FROM history h JOIN product p ON (p.external_id, p.country, p.platform) = (h.external_product_id, h.country, h.platform)"],
  ["history spelled otherwise than any product", `SELECT count(*) FROM history h WHERE NOT EXISTS (SELECT 1 FROM product p
    WHERE (p.external_id, p.country, p.platform) = (h.external_product_id, h.country, h.platform))
    AND EXISTS (SELECT 1 FROM product p WHERE (${productKey}) = (${historyKey}))`],
  ["orphan history", `SELECT count(*) FROM history h WHERE NOT EXISTS (SELECT 1 FROM product p WHERE (${productKey}) = (${historyKey}))`],
  ["history of rocketfy products", `SELECT count(*) FROM history h WHERE ${normPlatform("h.platform")} = 'rocketfy'`],
  ["history of products with a bad price", `SELECT count(*) FROM history h JOIN product p ON (${productKey}) = (${historyKey})
    WHERE ${bad("p.sale_price")}`],
  ["dates 'YYYY-MM-DD'", "SELECT count(*) FROM history WHERE date ~ '^\\d{4}-\\d{2}-\\d{2}$'"],
  ["ISO timestamps with T and Z", "SELECT count(*) FROM history WHERE date ~ '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$'"],
  ["timestamps 'YYYY-MM-DD HH:MM:SS'", "SELECT count(*) FROM history WHERE date ~ '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$'"],
  ["dates 'DD/MM/YYYY'", "SELECT count(*) FROM history WHERE date ~ '^\\d{2}/\\d{2}/\\d{4}$' AND date <> '31/02/2024'"],
  ...spellings.historyDate.map((v): [string, string] => [`history date '${v}'`, `SELECT count(*) FROM history WHERE date = '${v}'`]),
  ["re-scrapes: several rows of one product and day", `SELECT count(*) FROM (SELECT 1 FROM history h
    GROUP BY ${historyKey}, h.date HAVING count(*) > 1) x`],
  ["re-scrapes tied on sold_units", `SELECT count(*) FROM (SELECT 1 FROM history h
    GROUP BY ${historyKey}, h.date, h.sold_units HAVING count(*) > 1) x`],
  ["re-scrapes tied on sold_units and stock", `SELECT count(*) FROM (SELECT 1 FROM history h
    GROUP BY ${historyKey}, h.date, h.sold_units, h.stock HAVING count(*) > 1) x`],
  ["gaps of missing days", `SELECT count(*) FROM (SELECT 1 FROM history h WHERE h.date ~ '^\\d{4}-\\d{2}-\\d{2}$' AND h.date >= '2015'
    AND h.date NOT IN ('2023-02-29', '2024-13-45')
    GROUP BY ${historyKey} HAVING max(h.date)::date - min(h.date)::date + 1 > count(DISTINCT h.date) + 3) x`],
  ...["stock", "sold_units", "sale_price", "sales_amount"].map((c): [string, string] => [`a bad number in history ${c}`,
    `SELECT count(*) FROM history WHERE ${bad(c)}`]),
  ["stock_adjustment true", "SELECT count(*) FROM history WHERE stock_adjustment"],
  ["stock_adjustment NULL", "SELECT count(*) FROM history WHERE stock_adjustment IS NULL"],
  ["padded adjustment reasons", "SELECT count(*) FROM history WHERE stock_adjustment_reason <> btrim(stock_adjustment_reason) AND btrim(stock_adjustment_reason) <> ''"],
  ["empty adjustment reasons", "SELECT count(*) FROM history WHERE btrim(stock_adjustment_reason) = ''"],
  ["long histories (400+ rows)", `SELECT count(*) FROM (SELECT 1 FROM history h GROUP BY ${historyKey} HAVING count(*) >= 400) x`],
]

describe("seed:legacy quirks, in a database of 2000 products", () => {
  let client: pg.Client
  beforeAll(async () => {
    client = new pg.Client({ connectionString: small })
    await client.connect()
  })
  afterAll(async () => {
    await client.end()
  })

  it.each(quirks)("holds %s", async (_label, sql) => {
    const { rows } = await client.query<{ count: string }>(sql)
    expect(Number(rows[0]?.count)).toBeGreaterThan(0)
  })

  it.each(["categories", "provider", "gallery"])("holds double-encoded and broken JSON in %s", async (column) => {
    const { rows } = await client.query<{ text: string }>(
      `SELECT ${column} #>> '{}' AS text FROM product WHERE jsonb_typeof(${column}) = 'string'`,
    )
    const parses = (text: string): boolean => {
      try {
        JSON.parse(text)
        return true
      } catch {
        return false
      }
    }
    expect(rows.filter((r) => parses(r.text)).length).toBeGreaterThan(0)
    expect(rows.filter((r) => !parses(r.text)).length).toBeGreaterThan(0)
  })

  it("has ~27 history rows per product, mostly short histories, and updated_at never before created_at", async () => {
    const { rows } = await client.query<{ per: number; median: number; backwards: number }>(`SELECT
      (SELECT count(*) FROM history)::float / (SELECT count(*) FROM product) AS per,
      (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY n) FROM (SELECT count(*) AS n FROM history
        GROUP BY external_product_id, platform, country) x)::int AS median,
      (SELECT count(*) FROM product WHERE updated_at < created_at)::int AS backwards`)
    expect(rows[0]?.per).toBeGreaterThan(18)
    expect(rows[0]?.per).toBeLessThan(36)
    expect(rows[0]?.median).toBeLessThan(20)
    expect(rows[0]?.backwards).toBe(0)
  })
})

describe("seed:legacy --apply-changes", () => {
  const day = "2026-11-21"
  type ProductRow = { uuid: string; platform: string; country: string; external_id: string; updated_at: string; row: string }
  type HistoryRow = { uuid: string; row: string; slot: string; sold_units: number }
  const productsSql = `SELECT uuid, platform, country, external_id, updated_at::text, md5(p::text) AS row FROM product p`
  const historySql = `SELECT uuid, md5(h::text) AS row, sold_units,
    concat_ws('|', external_product_id, country, platform, date) AS slot FROM history h`
  let url: string
  let before: Map<string, ProductRow>
  let historyRowsBefore: HistoryRow[]
  let historyBefore: Map<string, string>
  let after: ProductRow[]
  let historyAfter: HistoryRow[]
  let summary: Awaited<ReturnType<typeof applyChanges>>

  beforeAll(async () => {
    url = await seeded(2000, 9)
    before = new Map((await query<ProductRow>(url, productsSql)).map((r) => [r.uuid, r]))
    historyRowsBefore = await query<HistoryRow>(url, historySql)
    historyBefore = new Map(historyRowsBefore.map((r) => [r.uuid, r.row]))
    summary = await applyChanges(url, { seed: undefined, day, fraction: 0.05 }, quiet)
    after = await query<ProductRow>(url, productsSql)
    historyAfter = await query<HistoryRow>(url, historySql)
  })

  it("keeps every product, with its platform, country and external_id", () => {
    const now = new Map(after.map((r) => [r.uuid, r]))
    for (const old of before.values()) {
      const current = now.get(old.uuid)
      expect(current).toBeDefined()
      expect([current?.platform, current?.country, current?.external_id]).toEqual([old.platform, old.country, old.external_id])
    }
  })

  it("moves updated_at to the day exactly for the products it changed", () => {
    const changed = after.filter((r) => before.has(r.uuid) && before.get(r.uuid)?.row !== r.row)
    const edited = Object.values(summary.edited).reduce((a, b) => a + b, 0)
    expect(edited).toBeGreaterThan(50)
    expect(Object.keys(summary.edited)).toHaveLength(7)
    expect(changed).toHaveLength(edited + summary.invalidated)
    expect(changed.every((r) => r.updated_at === day)).toBe(true)
    const untouched = after.filter((r) => before.get(r.uuid)?.row === r.row)
    expect(untouched.every((r) => r.updated_at !== day)).toBe(true)
  })

  it("adds new products of the day, some on an existing natural key", () => {
    const added = after.filter((r) => !before.has(r.uuid))
    expect(added).toHaveLength(summary.newProducts)
    expect(added.every((r) => r.updated_at === day)).toBe(true)
    expect(summary.newColliding).toBeGreaterThan(0)
  })

  it("turns a few migrated products invalid with a bad sale_price", async () => {
    expect(summary.invalidated).toBeGreaterThanOrEqual(2)
    const rows = await query<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM product WHERE updated_at = $1 AND (sale_price = 'NaN' OR sale_price < 0 OR sale_price = 'Infinity')`,
      [day],
    )
    expect(rows[0]?.n).toBeGreaterThanOrEqual(summary.invalidated)
  })

  it("only adds history: the day's scrape, re-scrapes of past days with more units, rows inside gaps", async () => {
    const now = new Map(historyAfter.map((r) => [r.uuid, r.row]))
    for (const [uuid, row] of historyBefore) expect(now.get(uuid)).toBe(row)
    expect(summary.todayRows).toBeGreaterThan(0)
    expect(summary.rescrapeRows).toBeGreaterThan(0)
    expect(summary.gapRows).toBeGreaterThan(0)
    expect(historyAfter.length - historyBefore.size).toBe(summary.todayRows + summary.rescrapeRows + summary.gapRows)
    const oldMax = new Map<string, number>()
    for (const r of historyRowsBefore) oldMax.set(r.slot, Math.max(oldMax.get(r.slot) ?? -Infinity, r.sold_units))
    const rescrapedHigher = historyAfter.filter(
      (r) => !historyBefore.has(r.uuid) && oldMax.has(r.slot) && r.sold_units > (oldMax.get(r.slot) ?? 0),
    )
    expect(rescrapedHigher.length).toBeGreaterThan(0)
    const [today] = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM history WHERE left(date, 10) = $1", [day])
    expect(today?.n).toBe(summary.todayRows)
  })

  it("refuses a day that is not after the last one, and records the day", async () => {
    await expect(applyChanges(url, { seed: undefined, day, fraction: 0.05 }, quiet)).rejects.toThrow(SeedError)
    const [row] = await query<{ comment: string }>(
      url,
      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()",
    )
    expect(JSON.parse(row?.comment ?? "{}").changes).toEqual([{ day, seed: 9, fraction: 0.05 }])
  })
})

describe("seed:legacy command line", () => {
  const bun = new URL("../node_modules/.bin/bun", import.meta.url).pathname
  const script = new URL("../scripts/seed-legacy.ts", import.meta.url).pathname
  const run = (args: string[], env: Record<string, string | undefined> = {}) => {
    const r = spawnSync(bun, [script, ...args], { encoding: "utf8", env: { ...process.env, OLD_DATABASE_URL: undefined, ...env } })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.trim() }
  }

  it("prints usage for --help", () => {
    const r = run(["--help"])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("--products N")
  })

  it("exits 2 with one line for a bad argument", () => {
    const r = run(["--products", "many"])
    expect(r.status).toBe(2)
    expect(r.stderr.split("\n")).toHaveLength(1)
    expect(r.stderr).toContain("--products")
  })

  it("exits 3 with one line when the legacy server cannot be reached", () => {
    const r = run(["--products", "10"], { OLD_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" })
    expect(r.status).toBe(3)
    expect(r.stderr).toMatch(/^cannot reach the PostgreSQL of OLD_DATABASE_URL .*: start it \(npm run services -- start\) or fix the URL$/)
  })

  it("exits 2 with one line when OLD_DATABASE_URL is missing", () => {
    const r = run(["--products", "10"])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^setting OLD_DATABASE_URL is missing/)
  })

  it("parses both modes and rejects mixed or out-of-range options", () => {
    expect(parseArgs(["--products", "10"])).toEqual({ kind: "seed", products: 10, seed: 1, asOf, force: false })
    expect(parseArgs(["--apply-changes", "--day=2026-12-01", "--fraction", "0.5", "--seed", "3"])).toEqual({
      kind: "changes",
      seed: 3,
      day: "2026-12-01",
      fraction: 0.5,
      scrapeShare: 0.85,
    })
    expect(parseArgs(["--apply-changes", "--scrape-share", "0"])).toMatchObject({ kind: "changes", scrapeShare: 0 })
    for (const bad of [
      [],
      ["--products", "0"],
      ["--products", "10", "--day", "2026-12-01"],
      ["--apply-changes", "--products", "10"],
      ["--apply-changes", "--fraction", "0"],
      ["--apply-changes", "--scrape-share", "1.5"],
      ["--products", "10", "--scrape-share", "0.1"],
      ["--apply-changes", "--day", "2026-02-30"],
      ["--products", "10", "--seed", "-1"],
      ["--products", "10", "--bogus"],
    ]) {
      expect(() => parseArgs(bad)).toThrow(ArgError)
    }
  })
})
