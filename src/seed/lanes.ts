import type pg from "pg"
import { connect, withClient } from "./database"
import { sessionSetupSql } from "./sql-files"

/** One generating session: a connection with the generator functions installed. */
export interface Lane {
  readonly client: pg.Client
  readonly pid: number
}

export async function openLane(url: string): Promise<Lane> {
  const client = await connect(url)
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")
    await client.query(sessionSetupSql())
    return { client, pid: rows[0]?.pid ?? 0 }
  } catch (err) {
    await client.end()
    throw err
  }
}

/**
 * Runs the jobs in parallel, one lane each. When one fails the others' statements are cancelled
 * (closing a connection would not stop a running INSERT) and their transactions roll back.
 */
export async function runLanes(url: string, jobs: ReadonlyArray<(lane: Lane) => Promise<void>>): Promise<void> {
  const lanes: Lane[] = []
  try {
    while (lanes.length < jobs.length) lanes.push(await openLane(url))
    const running = jobs.map((job, i) => job(lanes[i] as Lane))
    try {
      await Promise.all(running)
    } catch (err) {
      await cancel(url, lanes)
      await Promise.allSettled(running)
      throw err
    }
  } finally {
    await Promise.allSettled(lanes.map((l) => l.client.end()))
  }
}

async function cancel(url: string, lanes: readonly Lane[]): Promise<void> {
  const pids = lanes.map((l) => l.pid)
  // Best effort: the lanes' connections are closed right after anyway.
  await withClient(url, (c) => c.query("SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) pid", [pids])).catch(
    () => undefined,
  )
}

/** Wall-clock seconds since `start` (a performance.now() value), one decimal. */
export function secondsSince(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(1)
}
