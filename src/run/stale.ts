import type { Redis } from "ioredis"
import type pg from "pg"
import { scanKeys } from "../streams/cluster"
import type { StreamKeys } from "../streams/keys"
import type { BeginOptions, RunState } from "./state"

export interface StaleRun {
  id: string
  reason: string
}

/**
 * Why the unfinished run in Redis must not be resumed by this invocation, or null when it may.
 * Resuming is only right into the v3 database that run started in (it records every run in
 * migration.runs) and for the same kind of run: otherwise the rest of another database's run,
 * or of a TEST_MODE run, would land here as if it were complete.
 */
export async function staleReason(current: RunState, v3: pg.Pool, opts: Pick<BeginOptions, "full" | "testMode">): Promise<string | null> {
  const known = await v3.query("SELECT 1 FROM migration.runs WHERE id = $1", [current.id])
  if ((known.rowCount ?? 0) === 0) return "this v3 database never started it (it belongs to another v3 database, or this one was re-created)"
  if (current.testMode !== opts.testMode) return `it ran with TEST_MODE=${current.testMode} and TEST_MODE is now ${opts.testMode}`
  if (opts.full && current.kind !== "full") return "it was an incremental run and --full was asked"
  return null
}

/**
 * Drops an unfinished run's pipeline state: its streams (with their consumer groups and
 * pending entries), run hash, counters, extract positions and leases. Dead letters stay, as a
 * record. Nothing is lost: the legacy database is the source, and groups the discarded run did
 * not finish loading have no recorded signature, so the next run migrates them.
 */
export async function discardRun(client: Redis, v3: pg.Pool, keys: StreamKeys, runId: string): Promise<void> {
  const leases = await scanKeys(client, keys.unitLease(runId, "*"))
  await client.del(
    ...Object.values(keys.stream),
    keys.run,
    keys.counts(runId),
    keys.unitPositions(runId),
    keys.progress(runId),
    keys.lastErrors,
    ...leases,
  )
  await v3.query("UPDATE migration.runs SET status = 'abandoned' WHERE id = $1 AND status <> 'done'", [runId])
}
