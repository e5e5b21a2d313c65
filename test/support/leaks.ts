import pg from "pg"
import type { Redis } from "ioredis"
import { expect } from "vitest"
import { adminUrl, dropDatabase } from "./pg"
import { deletePrefix } from "./redis"

/** Connections still open to the given databases, other than this check's own. */
export async function openConnections(databases: string[]): Promise<number> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()",
      [databases],
    )
    return rows[0]!.n
  } finally {
    await admin.end()
  }
}

/** Redis clients whose connection name contains `marker` (our stages name every connection). */
export async function openRedisClients(client: Redis, marker: string): Promise<number> {
  const list = String(await client.client("LIST"))
  return list.split("\n").filter((line) => line.includes(`name=`) && line.split(" ").some((f) => f.startsWith("name=") && f.includes(marker))).length
}

/**
 * openConnections once the count stops falling: a process that just exited leaves its backend
 * in pg_stat_activity for a moment while it shuts down. That is not a leak; one still there
 * after a few seconds is.
 */
export async function settledConnections(databases: string[], withinMs = 5_000): Promise<number> {
  const deadline = Date.now() + withinMs
  let n = await openConnections(databases)
  while (n > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
    n = await openConnections(databases)
  }
  return n
}

/**
 * The end of a test file: deletes its Redis prefixes, fails when a stage left a Redis client or
 * a database connection open (a leak), then drops its databases.
 */
export async function releaseAndCheckLeaks(redis: Redis, prefixes: string[], databases: string[]): Promise<void> {
  for (const p of prefixes) await deletePrefix(redis, p)
  for (const p of prefixes) expect(await openRedisClients(redis, p)).toBe(0)
  redis.disconnect()
  expect(await settledConnections(databases)).toBe(0)
  for (const d of databases) await dropDatabase(d)
}
