import type pg from "pg"
import Cursor from "pg-cursor"

/**
 * Rows of `sql` in chunks of `size`, from a server-side cursor in a READ ONLY transaction on its
 * own connection: a whole table walked with bounded memory.
 *
 * A walk that does not reach its end (an error, a server restart, a caller that stopped early)
 * discards its connection instead of closing the cursor: pg-cursor's close() waits for a
 * ReadyForQuery that a cut connection never sends, so it would wait forever (seen in CI: an
 * extract hung after a PostgreSQL restart). Dropping the connection ends the portal and the
 * transaction on the server just as well.
 */
export async function* cursorChunks<T>(pool: pg.Pool, sql: string, params: unknown[], size: number): AsyncGenerator<T[]> {
  const client = await pool.connect()
  const lost = connectionLost(client)
  let finished = false
  try {
    await client.query("BEGIN READ ONLY")
    const cursor = client.query(new Cursor<T>(sql, params))
    for (;;) {
      const rows = await Promise.race([cursor.read(size), lost.failed])
      if (rows.length > 0) yield rows
      if (rows.length < size) break
    }
    await Promise.race([cursor.close(), lost.failed])
    await client.query("COMMIT")
    finished = true
  } finally {
    lost.dispose()
    client.release(!finished)
  }
}

/**
 * Fails when the client's connection does. pg-cursor marks a cursor done on the result's
 * CommandComplete, before the ReadyForQuery that delivers the last rows, and from then on
 * ignores the connection's error (pg-cursor 2.22 handleError): a server restart landing between
 * the two left read() pending forever (seen in CI: an extract hung; test/db/reads.test.ts).
 */
export function connectionLost(client: pg.PoolClient): { failed: Promise<never>; dispose: () => void } {
  let onError: (err: Error) => void = () => undefined
  let onEnd: () => void = () => undefined
  const failed = new Promise<never>((_, reject) => {
    onError = (err) => reject(err)
    onEnd = () => reject(new Error("Connection terminated unexpectedly"))
  })
  failed.catch(() => undefined)
  client.once("error", onError)
  client.once("end", onEnd)
  return {
    failed,
    dispose: () => {
      client.off("error", onError)
      client.off("end", onEnd)
    },
  }
}
