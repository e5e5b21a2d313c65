import { join } from "node:path"
import { drizzle } from "drizzle-orm/node-postgres"
import { migrate } from "drizzle-orm/node-postgres/migrator"
import pg from "pg"
import { projectRoot } from "../../local/paths"
import { libpqSslModes } from "../connect"
import { baseCategories, countries, platforms } from "../../mapping/reference"

export const migrationsFolder = join(projectRoot, "drizzle")

/** Creates the database named in `url` when it does not exist (connecting to `postgres` on the same server). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  const admin = new URL(url)
  admin.pathname = "/postgres"
  const client = new pg.Client({ connectionString: libpqSslModes(admin.toString()) })
  await client.connect()
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
    if (exists.rowCount) return false
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`)
    return true
  } finally {
    await client.end()
  }
}

const upserts = [
  {
    sql: `INSERT INTO countries (id, code, name, currency)
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
          ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, currency = EXCLUDED.currency
          WHERE (countries.code, countries.name, countries.currency) IS DISTINCT FROM (EXCLUDED.code, EXCLUDED.name, EXCLUDED.currency)`,
    params: [countries.map((c) => c.id), countries.map((c) => c.code), countries.map((c) => c.name), countries.map((c) => c.currency)],
  },
  {
    sql: `INSERT INTO platforms (id, name, type)
          SELECT * FROM unnest($1::text[], $2::text[], $3::platform_type[])
          ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type
          WHERE (platforms.name, platforms.type) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.type)`,
    params: [platforms.map((p) => p.id), platforms.map((p) => p.name), platforms.map((p) => p.type)],
  },
  {
    sql: `INSERT INTO base_categories (id, name)
          SELECT * FROM unnest($1::text[], $2::text[])
          ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name WHERE base_categories.name IS DISTINCT FROM EXCLUDED.name`,
    params: [baseCategories.map((c) => c.id), baseCategories.map((c) => c.name)],
  },
]

/**
 * Applies the committed drizzle-kit migrations and the reference data (MAPPING.md, "Reference
 * data"). Idempotent: a second run applies nothing and changes no row. Returns rows changed.
 */
export async function migrateV3(url: string): Promise<{ referenceRowsChanged: number }> {
  const pool = new pg.Pool({ connectionString: libpqSslModes(url), max: 1 })
  try {
    // Concurrent callers (parallel test files, two operators) take turns.
    const client = await pool.connect()
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('migrator:db:migrate'))")
      await migrate(drizzle(client), { migrationsFolder })
      let changed = 0
      for (const u of upserts) changed += (await client.query(u.sql, u.params)).rowCount ?? 0
      return { referenceRowsChanged: changed }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('migrator:db:migrate'))").catch(() => undefined)
      client.release()
    }
  } finally {
    await pool.end()
  }
}
