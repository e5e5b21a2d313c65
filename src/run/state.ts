import type { Redis } from "ioredis"
import type pg from "pg"
import { enterBulk } from "../load/bulk"
import type { Logger } from "../log/logger"
import { UserFacingError } from "../runtime/errors"
import { ensureAllGroups } from "../streams/groups"
import type { StreamKeys } from "../streams/keys"
import { discardRun, staleReason, type StaleRun } from "./stale"

export type RunKind = "full" | "incremental"
export type RunStatus = "extracting" | "extracted" | "done"

export interface RunState {
  id: string
  kind: RunKind
  status: RunStatus
  testMode: boolean
  /** Work units extract splits the legacy key space into. */
  slices: number
  startedAt: number
  extractedAt?: number
  finishedAt?: number
}

export function decodeRun(raw: Record<string, string>): RunState | undefined {
  if (!raw["id"]) return undefined
  return {
    id: raw["id"],
    kind: raw["kind"] === "incremental" ? "incremental" : "full",
    status: (raw["status"] as RunStatus | undefined) ?? "extracting",
    testMode: raw["test_mode"] === "true",
    slices: Number(raw["slices"] ?? 1),
    startedAt: Number(raw["started_at"] ?? 0),
    ...(raw["extracted_at"] ? { extractedAt: Number(raw["extracted_at"]) } : {}),
    ...(raw["finished_at"] ? { finishedAt: Number(raw["finished_at"]) } : {}),
  }
}

export async function readRun(client: Redis, keys: StreamKeys): Promise<RunState | undefined> {
  return decodeRun(await client.hgetall(keys.run))
}

export interface BeginOptions {
  /** Force a full run even when an earlier full run finished. */
  full: boolean
  testMode: boolean
  slices: number
  /**
   * What to do with an unfinished run this invocation must not resume (see stale-run.ts):
   * migrate discards it and starts afresh; a stage copy joining a run refuses to start.
   */
  onStale: "discard" | "fail"
  log: Logger
}

/**
 * Resumes the unfinished run, or starts a new one. The kind of a new run is full unless a full
 * (or incremental) non-test run finished before into this v3 database; the v3 database is the
 * record of what it holds, so a wiped Redis cannot turn a daily run into a wrong kind.
 */
export async function beginOrResumeRun(
  client: Redis,
  v3: pg.Pool,
  keys: StreamKeys,
  opts: BeginOptions,
): Promise<{ run: RunState; resumed: boolean; discarded?: StaleRun }> {
  let discarded: StaleRun | undefined
  for (let attempt = 0; attempt < 20; attempt++) {
    await client.watch(keys.run)
    const current = await readRun(client, keys)
    if (current && current.status !== "done") {
      await client.unwatch()
      const reason = await staleReason(current, v3, opts)
      if (reason === null) {
        await ensureAllGroups(client, keys)
        await bulkIfFirstLoad(v3, current, opts.log)
        return { run: current, resumed: true }
      }
      if (opts.onStale === "fail") throw new UserFacingError(`the unfinished run ${current.id} cannot be joined: ${reason}; run \`npm run migrate\` instead`)
      await discardRun(client, v3, keys, current.id)
      discarded = { id: current.id, reason }
      continue
    }
    const previous = await v3.query(
      "SELECT 1 FROM migration.runs WHERE status = 'done' AND NOT test_mode LIMIT 1",
    )
    const kind: RunKind = !opts.full && (previous.rowCount ?? 0) > 0 && !opts.testMode ? "incremental" : "full"
    const run: RunState = {
      id: `r${Date.now().toString(36)}`,
      kind,
      status: "extracting",
      testMode: opts.testMode,
      slices: opts.slices,
      startedAt: Date.now(),
    }
    const ok = await client
      .multi()
      .del(keys.run)
      .hset(keys.run, {
        id: run.id,
        kind: run.kind,
        status: run.status,
        test_mode: String(run.testMode),
        slices: String(run.slices),
        started_at: String(run.startedAt),
      })
      .exec()
    if (ok === null) continue
    await ensureAllGroups(client, keys)
    await v3.query(
      `INSERT INTO migration.runs (id, kind, status, test_mode, started_at) VALUES ($1, $2, 'running', $3, to_timestamp($4 / 1000.0))
       ON CONFLICT (id) DO NOTHING`,
      [run.id, run.kind, run.testMode, run.startedAt],
    )
    await bulkIfFirstLoad(v3, run, opts.log)
    return { run, resumed: false, ...(discarded ? { discarded } : {}) }
  }
  throw new Error("could not start a run: another process keeps changing the run state; try again")
}

/** A full run into an empty v3 loads in bulk (src/load/bulk.ts); resuming one keeps it so. */
async function bulkIfFirstLoad(v3: pg.Pool, run: RunState, log: Logger): Promise<void> {
  if (run.kind === "full" && !run.testMode) await enterBulk(v3, run.id, log)
}
