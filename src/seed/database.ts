import pg from "pg"
import { libpqSslModes } from "../db/connect"

/** The legacy database the seeder fills, and the maintenance database beside it. */
export interface Target {
  readonly url: string
  readonly name: string
  readonly adminUrl: string
}

/** A problem the operator can fix, said in one line; exit status 2 when it is the command or a setting. */
export class SeedError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
  }
}

export function target(url: string): Target {
  const parsed = new URL(url)
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
  if (name === "" || name.includes("/")) {
    throw new SeedError("setting OLD_DATABASE_URL names no database: end it with /<database name>", 2)
  }
  parsed.pathname = "/postgres"
  return { url, name, adminUrl: parsed.toString() }
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: libpqSslModes(url), application_name: "seed-legacy" })
  await client.connect()
  return client
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url)
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Runs fn in a transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(client: pg.Client, fn: () => Promise<T>): Promise<T> {
  await client.query("BEGIN")
  try {
    const out = await fn()
    await client.query("COMMIT")
    return out
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw err
  }
}

/** Creates the database when it does not exist; says whether it did. */
export async function ensureDatabase(t: Target): Promise<boolean> {
  return withClient(t.adminUrl, async (admin) => {
    const found = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [t.name])
    if (found.rowCount === 1) return false
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(t.name)}`)
    } catch (err) {
      // Another seeder may have created it in between; that is as good.
      if ((err as { code?: string }).code !== "42P04") throw err
      return false
    }
    return true
  })
}

export async function readComment(client: pg.Client): Promise<string | null> {
  const { rows } = await client.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()",
  )
  return rows[0]?.comment ?? null
}

export async function writeComment(client: pg.Client, comment: string): Promise<void> {
  const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db")
  const db = rows[0]?.db ?? ""
  await client.query(`COMMENT ON DATABASE ${client.escapeIdentifier(db)} IS ${client.escapeLiteral(comment)}`)
}

/** The legacy tables present in the public schema. */
export async function legacyTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables
     WHERE schemaname = 'public' AND tablename IN ('product', 'history') ORDER BY 1`,
  )
  return rows.map((r) => r.name)
}
