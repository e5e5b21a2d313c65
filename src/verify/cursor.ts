import type pg from "pg"
import Cursor from "pg-cursor"

/**
 * Rows of `sql` in chunks of `size`, from a server-side cursor in a READ ONLY transaction on its
 * own connection: a whole table walked with bounded memory. A connection abandoned mid-walk
 * (the caller stopped early) is discarded rather than reused.
 */
export async function* cursorChunks<T>(pool: pg.Pool, sql: string, params: unknown[], size: number): AsyncGenerator<T[]> {
  const client = await pool.connect()
  let cursor: Cursor<T> | undefined
  let finished = false
  try {
    await client.query("BEGIN READ ONLY")
    cursor = client.query(new Cursor<T>(sql, params))
    for (;;) {
      const rows = await cursor.read(size)
      if (rows.length > 0) yield rows
      if (rows.length < size) break
    }
    await cursor.close()
    cursor = undefined
    await client.query("COMMIT")
    finished = true
  } finally {
    if (cursor) await cursor.close().catch(() => undefined)
    client.release(!finished)
  }
}
