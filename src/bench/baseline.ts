import { readFileSync } from "node:fs"
import { pipeline } from "node:stream/promises"
import pg from "pg"
import { from as copyFrom, to as copyTo } from "pg-copy-streams"

/**
 * The baseline a full migration is measured against: what PostgreSQL itself needs to move the
 * legacy catalog. The legacy `product` and `history` tables are copied out of the legacy
 * database (COPY … TO STDOUT) straight into COPY … FROM STDIN of an empty database with the same
 * schema and indexes, one table after the other. Returns seconds.
 */
export async function copyBaseline(adminUrl: string, legacyUrl: string, scratchUrl: (db: string) => string, schemaSql: string): Promise<number> {
  const scratch = "bench_baseline_copy"
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`)
    await c.query(`CREATE DATABASE ${scratch}`)
  })
  await withClient(scratchUrl(scratch), (c) => c.query(schemaSql))
  const started = performance.now()
  await withClient(legacyUrl, (source) =>
    withClient(scratchUrl(scratch), async (target) => {
      for (const table of ["product", "history"]) {
        await pipeline(source.query(copyTo(`COPY ${table} TO STDOUT`)), target.query(copyFrom(`COPY ${table} FROM STDIN`)))
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE ${scratch} WITH (FORCE)`))
  return seconds
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

export const legacySchemaSql = (path: string) => readFileSync(path, "utf8")
