import pg from "pg"
import { targetTables } from "../pipeline/stages"

/** A table's rows as one digest: md5 over every row's text, in id order. Equal digests, equal tables. */
async function digests(url: string): Promise<Record<string, { rows: number; md5: string }>> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const out: Record<string, { rows: number; md5: string }> = {}
    for (const t of targetTables) {
      const { rows } = await client.query<{ n: string; md5: string | null }>(
        `SELECT count(*) AS n, md5(string_agg(x::text, E'\\n' ORDER BY x.id)) AS md5 FROM ${t} x`,
      )
      out[t] = { rows: Number(rows[0]!.n), md5: rows[0]!.md5 ?? "" }
    }
    return out
  } finally {
    await client.end()
  }
}

/** The contract tables that differ between two v3 databases, with their row counts; empty when identical. */
export async function differingTables(a: string, b: string): Promise<{ table: string; rows: [number, number] }[]> {
  const [x, y] = await Promise.all([digests(a), digests(b)])
  return targetTables.filter((t) => x[t]!.md5 !== y[t]!.md5).map((t) => ({ table: t, rows: [x[t]!.rows, y[t]!.rows] }))
}
