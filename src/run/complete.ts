import type { Redis } from "ioredis"
import type pg from "pg"
import { finishBulk } from "../load/bulk"
import type { Logger } from "../log/logger"
import type { StreamKeys } from "../streams/keys"
import { runScript } from "../streams/scripts"
import { checkRun, type RunCheck } from "./check"
import { pipelineDrained } from "./drain"
import { readRun, type RunState } from "./state"

export interface RunSummary {
  id: string
  kind: string
  testMode: boolean
  startedAt: number
  finishedAt: number
  counts: Record<string, number>
  progress: Record<string, number>
  /** For incremental runs: what the plan found changed since the last run. */
  plan?: { groups: number; products: number; newGroups: number; productChanges: number; historyChanges: number }
  watermark?: string
  /** The legacy server's transaction horizon before the run read anything (src/extract/sql.ts legacyHorizon). */
  legacyHorizon?: string
  /** The oldest legacy transaction running at that horizon (src/extract/sql.ts legacyHorizon). */
  legacyXmin?: string
  /** What v3 holds for the run, against its counts (src/run/check.ts). */
  check?: RunCheck
}

/**
 * Marks the current run done once extract has published everything and every group is
 * drained. Safe to call from several processes: only the first call that sees the run
 * "extracted" finishes it. Returns the summary when this call finished the run.
 */
export async function completeRunIfDrained(client: Redis, v3: pg.Pool, keys: StreamKeys, log: Logger): Promise<RunSummary | undefined> {
  const run = await readRun(client, keys)
  if (!run || run.status !== "extracted") return undefined
  if (!(await pipelineDrained(client, keys))) return undefined
  await finishBulk(v3, log)
  const finishedAt = Date.now()
  const summary = await summarize(client, keys, run, finishedAt)
  summary.check = await checkRun(client, v3, keys, run, summary.counts)
  // v3 first: should this process die before Redis says done, the next migrate resumes the run
  // and finishes it again (idempotent), rather than v3 forgetting a run that finished.
  await v3.query(
    "UPDATE migration.runs SET status = 'done', finished_at = to_timestamp($2 / 1000.0), summary = $3 WHERE id = $1",
    [run.id, finishedAt, JSON.stringify(summary)],
  )
  const claimed = await runScript(client, "run-transition", [keys.run], [run.id, "extracted", "done", "finished_at", finishedAt])
  if (claimed !== 1) return undefined
  const runFields = await client.hgetall(keys.run)
  await client.multi().del(keys.lastRun).hset(keys.lastRun, { ...runFields, summary: JSON.stringify(summary) }).exec()
  return summary
}

export async function summarize(client: Redis, keys: StreamKeys, run: RunState, finishedAt: number): Promise<RunSummary> {
  const toNumbers = (raw: Record<string, string>) =>
    Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]))
  const raw = await client.hgetall(keys.run)
  return {
    id: run.id,
    kind: run.kind,
    testMode: run.testMode,
    startedAt: run.startedAt,
    finishedAt,
    counts: toNumbers(await client.hgetall(keys.counts(run.id))),
    progress: toNumbers(await client.hgetall(keys.progress(run.id))),
    ...(raw["plan_groups"] !== undefined
      ? {
          plan: {
            groups: Number(raw["plan_groups"]),
            products: Number(raw["plan_products"] ?? 0),
            newGroups: Number(raw["plan_new_groups"] ?? 0),
            productChanges: Number(raw["plan_product_changes"] ?? 0),
            historyChanges: Number(raw["plan_history_changes"] ?? 0),
          },
        }
      : {}),
    ...(raw["watermark"] ? { watermark: raw["watermark"] } : {}),
    ...(raw["legacy_horizon"] ? { legacyHorizon: raw["legacy_horizon"] } : {}),
    ...(raw["legacy_xmin"] ? { legacyXmin: raw["legacy_xmin"] } : {}),
  }
}
