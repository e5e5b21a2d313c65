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
  let finished = false
  try {
    await client.query("BEGIN READ ONLY")
    const cursor = client.query(new Cursor<T>(sql, params))
    for (;;) {
      const rows = await cursor.read(size)
      if (rows.length > 0) yield rows
      if (rows.length < size) break
    }
    await cursor.close()
    await client.query("COMMIT")
    finished = true
  } finally {
    client.release(!finished)
  }
}
