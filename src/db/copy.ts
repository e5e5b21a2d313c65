import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type pg from "pg"
import { to as copyTo, from as copyFrom } from "pg-copy-streams"
import { leftMidStatement } from "./connect"
import { connectionLost } from "./cursor"

/**
 * Streams the rows of `query` on one server into `table` through `target`, COPY to COPY, the
 * way PostgreSQL moves data between servers itself: no row is parsed or rebuilt in this process.
 * The query runs in a READ ONLY transaction on its own connection; unlike a cursor, COPY may
 * plan it in parallel (a cursor's portal never is: "Parallel Safety", PostgreSQL 15 docs 15.4).
 * With `after`, the query starts at once and its rows go into `target` once `after` is done;
 * if `after` fails, so does this copy, its connection discarded. `setup` runs first in the
 * transaction (SET LOCAL settings for this query alone).
 * A connection that fails mid-copy is discarded, never reused.
 */
export async function copyQueryInto(
  source: pg.Pool,
  query: string,
  target: pg.PoolClient,
  table: string,
  { after, setup }: { after?: Promise<unknown>; setup?: string } = {},
): Promise<void> {
  const client = await source.connect()
  let finished = false
  try {
    await client.query("BEGIN READ ONLY")
    if (setup) await client.query(setup)
    const rows = client.query(copyTo(`COPY (${query}) TO STDOUT`))
    // A connection lost while the rows wait surfaces in pipeline below (the stream is errored).
    rows.on("error", () => undefined)
    // `after`: the target is busy until then. The source server computes meanwhile; its first
    // rows wait in the socket, since pg-copy-streams reads the connection only as fast as the
    // stream is consumed.
    if (after) await after
    await pipeline(rows, target.query(copyFrom(`COPY ${table} FROM STDIN`)))
    await client.query("COMMIT")
    finished = true
  } finally {
    client.release(!finished)
  }
}

/**
 * As copyQueryInto, on `session`: a connection whose transaction the caller holds, so that
 * several statements read one snapshot (src/extract/plan-totals.ts).
 */
export async function copyQueryOn(session: pg.PoolClient, query: string, target: pg.PoolClient, table: string): Promise<void> {
  const rows = session.query(copyTo(`COPY (${query}) TO STDOUT`))
  rows.on("error", () => undefined)
  try {
    await pipeline(rows, target.query(copyFrom(`COPY ${table} FROM STDIN`)))
  } catch (err) {
    // The source may be mid-COPY: its transaction's owner discards the connection (inTransaction).
    throw leftMidStatement(err)
  }
}

/**
 * Streams `chunks` (rows in COPY's text format, src/messages/copy-text.ts, whole lines per chunk)
 * into `copy` (a `COPY … FROM STDIN` statement) on `client`, inside its transaction; returns the
 * rows copied. A row the server refuses fails the statement with its SQLSTATE, as an INSERT would.
 */
export async function copyRowsIn(client: pg.PoolClient, copy: string, chunks: readonly string[]): Promise<number> {
  const stream = client.query(copyFrom(copy))
  await pipeline(Readable.from(chunks), stream)
  return stream.rowCount
}

/**
 * The whole text a `COPY (…) TO STDOUT` statement writes, on `client`. A connection lost
 * meanwhile fails it, whether or not the stream notices (as for cursors, src/db/cursor.ts).
 */
export async function copyOut(client: pg.PoolClient, copy: string): Promise<string> {
  const lost = connectionLost(client)
  try {
    const stream = client.query(copyTo(copy))
    const chunks: Buffer[] = []
    const read = (async () => {
      for await (const chunk of stream) chunks.push(chunk as Buffer)
    })()
    read.catch(() => undefined)
    await Promise.race([read, lost.failed])
    return Buffer.concat(chunks).toString("utf8")
  } finally {
    lost.dispose()
  }
}
