import { pipeline } from "node:stream/promises"
import type pg from "pg"
import { to as copyTo, from as copyFrom } from "pg-copy-streams"

/**
 * Streams the rows of `query` on one server into `table` through `target`, COPY to COPY, the
 * way PostgreSQL moves data between servers itself: no row is parsed or rebuilt in this process.
 * The query runs in a READ ONLY transaction on its own connection; unlike a cursor, COPY may
 * plan it in parallel (a cursor's portal never is: "Parallel Safety", PostgreSQL 15 docs 15.4).
 * A connection that fails mid-copy is discarded, never reused.
 */
export async function copyQueryInto(source: pg.Pool, query: string, target: pg.PoolClient, table: string): Promise<void> {
  const client = await source.connect()
  let finished = false
  try {
    await client.query("BEGIN READ ONLY")
    await pipeline(client.query(copyTo(`COPY (${query}) TO STDOUT`)), target.query(copyFrom(`COPY ${table} FROM STDIN`)))
    await client.query("COMMIT")
    finished = true
  } finally {
    client.release(!finished)
  }
}
