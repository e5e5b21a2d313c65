import pg from "pg"
import type { Logger } from "../log/logger"
import { UnreachableError } from "../runtime/errors"

/** host:port/database of a PostgreSQL URL, without credentials: safe to print. */
export function describeDbUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`
  } catch {
    return "an unparsable URL"
  }
}

export interface PoolOptions {
  url: string
  /** What the database is, for messages: "the legacy database". */
  what: string
  /** The setting the URL came from, for messages. */
  setting: string
  appName: string
  max: number
  readOnly?: boolean
  log: Logger
}

/** Opens a pool and proves it can run a query, or fails with a one-line UnreachableError. */
export async function openPool(opts: PoolOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max,
    application_name: opts.appName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Read only: a session-level guard, every transaction on these connections is read only.
    // jit=off: the planner overestimates `= ANY($1)` batches and would JIT-compile every batch query.
    options: opts.readOnly ? "-c default_transaction_read_only=on -c jit=off" : "-c jit=off",
  })
  pool.on("error", (err) => opts.log.warn({ err, db: describeDbUrl(opts.url) }, "idle database connection failed"))
  try {
    const client = await pool.connect()
    try {
      await client.query("SELECT 1")
    } finally {
      client.release()
    }
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw new UnreachableError(opts.what, describeDbUrl(opts.url), opts.setting, err)
  }
  return pool
}

/** Runs fn inside a transaction on one pooled connection; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query(begin)
    const result = await fn(client)
    await client.query("COMMIT")
    return result
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
