import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import pg from "pg"
import type { Logger } from "../log/logger"
import { ExitCode, UnreachableError, UserFacingError } from "../runtime/errors"
import { outageWatch } from "../runtime/outage"

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

/** A pool as an Effect resource: opened (or a one-line error), ended when its scope closes. */
export function acquirePool(opts: PoolOptions): Effect.Effect<pg.Pool, UserFacingError, Scope.Scope> {
  return Effect.acquireRelease(
    Effect.tryPromise({ try: () => openPool(opts), catch: (err) => err as UserFacingError }),
    // Ending a pool of dead connections does not fail; nothing to report on the way out.
    (pool) => Effect.promise(() => pool.end().catch(() => undefined)),
  )
}

/** Opens a pool and proves it can run a query, or fails with a one-line UnreachableError. */
export function openPool(opts: PoolOptions): Promise<pg.Pool> {
  return outageWatch().connect({ what: opts.what, where: describeDbUrl(opts.url), setting: opts.setting }, () => tryPool(opts))
}

async function tryPool(opts: PoolOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: libpqSslModes(opts.url),
    max: opts.max,
    application_name: opts.appName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Read only: a session-level guard, every transaction on these connections is read only.
    // jit=off: the planner overestimates `= ANY($1)` batches and would JIT-compile every batch query.
    options: opts.readOnly ? "-c default_transaction_read_only=on -c jit=off" : "-c jit=off",
  })
  const where = describeDbUrl(opts.url)
  // An idle connection dropped by a server restart: the pool replaces it on next use; work that
  // meets the outage waits for the server (OutageWatch.recover).
  pool.on("error", (err) => opts.log.debug({ err, db: where }, "idle database connection closed"))
  // A connection in use that the server cuts also emits 'error' on its client: without a
  // listener that would end the process, while the query it ran already fails with the error.
  pool.on("connect", (client) => client.on("error", (err) => opts.log.debug({ err, db: where }, "database connection closed")))
  try {
    const client = await pool.connect()
    try {
      await client.query("SELECT 1")
    } finally {
      client.release()
    }
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw refusal(opts, where, err) ?? new UnreachableError(opts.what, where, opts.setting, err)
  }
  outageWatch().register({ what: opts.what, where, setting: opts.setting, probe: () => pool.query("SELECT 1") })
  return pool
}

/** A server that answers but refuses us: not an outage, a setting to fix (exit 2). */
function refusal(opts: PoolOptions, where: string, err: unknown): UserFacingError | undefined {
  const code = (err as { code?: string }).code
  if (code === "28P01" || code === "28000") {
    return new UserFacingError(`${opts.what} at ${where} refused the credentials in ${opts.setting}: fix the user or password in ${opts.setting}`, ExitCode.usage)
  }
  if (code === "3D000") {
    return new UserFacingError(`${opts.what} at ${where} does not exist (${opts.setting}): create it or fix the database name in ${opts.setting}`, ExitCode.usage)
  }
  return undefined
}

/**
 * sslmode as libpq means it (sslmode=require: encrypted, certificate not checked; verify-ca and
 * verify-full check it), which is what a PostgreSQL user writes in a URL. node-postgres reads
 * require as verify-full unless told uselibpqcompat=true.
 */
export function libpqSslModes(url: string): string {
  const u = new URL(url)
  if (u.searchParams.has("sslmode") && !u.searchParams.has("uselibpqcompat")) u.searchParams.set("uselibpqcompat", "true")
  return u.toString()
}

/** Runs fn inside a transaction on one pooled connection; rolls back on any error. */
const midStatement = new WeakSet<Error>()

/**
 * Marks `err` as leaving its connection in the middle of a statement (a COPY whose reader
 * failed: the server still sends rows nobody reads), so inTransaction discards the connection
 * instead of sending a ROLLBACK that would wait behind the COPY forever.
 */
export function leftMidStatement(err: unknown): unknown {
  if (err instanceof Error) midStatement.add(err)
  return err
}

export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = "BEGIN",
): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query(begin)
    const result = await fn(client)
    await client.query("COMMIT")
    return result
  } catch (err) {
    // A connection that cannot even roll back (the server restarted), or that a failed statement
    // left in the middle of its output (leftMidStatement), must not go back to the pool.
    if (err instanceof Error && midStatement.has(err)) broken = err
    else await client.query("ROLLBACK").catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))))
    throw err
  } finally {
    client.release(broken)
  }
}
