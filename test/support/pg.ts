import { randomBytes } from "node:crypto"
import pg from "pg"
import { localPorts, localUrls, localUser } from "../../src/local/paths"

export const adminUrl = localUrls.admin

export function databaseUrl(name: string): string {
  return `postgres://${localUser}@127.0.0.1:${localPorts.postgres}/${name}`
}

/** One query on its own connection, closed before returning (nothing left for the leak check). */
export async function queryRows<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<T>(sql, params)).rows
  } finally {
    await client.end()
  }
}

/** Products in a v3 database. */
export async function productCount(url: string): Promise<number> {
  return (await queryRows<{ n: number }>(url, "SELECT count(*)::int AS n FROM products"))[0]!.n
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Creates a fresh, uniquely named database (optionally cloned from a template) and returns its URL. */
export async function createDatabase(prefix: string, template?: string): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`))
  return { name, url: databaseUrl(name) }
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
}

export async function databaseExists(name: string): Promise<boolean> {
  return withAdmin(async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1)
}
