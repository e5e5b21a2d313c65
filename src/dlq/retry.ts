import type { ChainableCommander, Redis } from "ioredis"
import type pg from "pg"
import type { KeyBatch } from "../extract/batches"
import type { GroupBatch } from "../extract/fetch"
import { decodeRun, readRun, type RunState } from "../run/state"
import { UserFacingError } from "../runtime/errors"
import type { StoredDeadLetter } from "../messages/dead-letter"
import { encodeExtractBatch } from "../messages/extract-batch"
import { toArgs } from "../streams/entries"
import { type ConsumerStage, consumerStages } from "../pipeline/stages"
import type { StreamKeys } from "../streams/keys"
import { deleteLetters } from "./delete"
import { reextractGroups } from "./reextract"
import { type LetterFilter, pages, selectLetters } from "./select"

export interface RetryDeps {
  client: Redis
  keys: StreamKeys
  /** The legacy database, opened only when a rows letter needs re-extracting. */
  legacy: () => Promise<{ pool: pg.Pool; testSelection: () => Promise<KeyBatch | null> }>
}

export interface RetriedLetter {
  id: string
  stage: string
  reason: string
  kind: "entry" | "rows"
  /** The stream the letter's work went back to. */
  stream: string
  keys: string[] | null
}

export interface RetryResult {
  run: string | null
  retried: RetriedLetter[]
  skipped: { id: string; why: string }[]
  groupsReextracted: number
}

const PAGE = 100

/** The fields of an entry letter, and the stream it came from; undefined when it cannot be re-published. */
function entryOf(l: StoredDeadLetter, keys: StreamKeys): { stream: string; fields: Record<string, string> } | undefined {
  const stream = l.sourceStream ?? (consumerStages.includes(l.stage as ConsumerStage) ? keys.input[l.stage as ConsumerStage] : undefined)
  try {
    const fields = JSON.parse(l.payload) as unknown
    if (!stream || !fields || typeof fields !== "object" || Array.isArray(fields)) return undefined
    // Marked: its rows may be older than what later runs recorded (RunTag.retried).
    return { stream, fields: { ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])), retried: "1" } }
  } catch {
    return undefined
  }
}

const rowKeys = (l: StoredDeadLetter): string[] => {
  try {
    return (JSON.parse(l.payload) as { keys?: string[] }).keys ?? []
  } catch {
    return []
  }
}

/** The run re-extracted groups are published for: the current one, else the last finished one. */
async function targetRun(client: Redis, keys: StreamKeys): Promise<RunState> {
  const run = (await readRun(client, keys)) ?? decodeRun(await client.hgetall(keys.lastRun))
  if (!run) throw new UserFacingError("no run found in Redis to re-extract rows into: run npm run migrate first")
  return run
}

function publishBatches(tx: ChainableCommander, keys: StreamKeys, run: RunState, batches: GroupBatch[]): void {
  for (const b of batches) {
    // Marked too, though read just now: published under a run that may have finished, whose
    // records a later plan would otherwise take for that run's (RunTag.retried).
    tx.xadd(keys.stream.extract, "*", ...toArgs(encodeExtractBatch({ run: run.id, test: run.testMode, retried: true, unit: "dlq-retry", ...b })))
    tx.hincrby(keys.counts(run.id), "extract.batches", 1)
    tx.hincrby(keys.counts(run.id), "extract.groups", b.keys.length)
    tx.hincrby(keys.counts(run.id), "extract.products", b.productCount)
    tx.hincrby(keys.counts(run.id), "extract.histories", b.historyCount)
  }
}

/**
 * Re-publishes the matching dead letters to their stage and deletes them, page by page, each
 * page in one MULTI/EXEC (deleteLetters). An "entry" letter goes back to its source stream with
 * its original fields; a "rows" letter's groups are read fresh from the legacy database and
 * published to the extract stream, once per page however many letters name a group.
 */
export async function retryLetters(d: RetryDeps, f: LetterFilter): Promise<RetryResult> {
  const result: RetryResult = { run: null, retried: [], skipped: [], groupsReextracted: 0 }
  let run: RunState | undefined
  let legacy: Awaited<ReturnType<RetryDeps["legacy"]>> | undefined
  for await (const page of pages(selectLetters(d.client, d.keys, f), PAGE)) {
    const entries = new Map<string, { stream: string; fields: Record<string, string> }>()
    const rows: StoredDeadLetter[] = []
    for (const l of page) {
      if (l.kind === "rows") rows.push(l)
      else {
        const e = entryOf(l, d.keys)
        if (e) entries.set(l.id, e)
        else result.skipped.push({ id: l.id, why: "its payload is not an entry's fields" })
      }
    }
    let batches: GroupBatch[] = []
    if (rows.length > 0) {
      run ??= await targetRun(d.client, d.keys)
      legacy ??= await d.legacy()
      const selection = run.testMode ? await legacy.testSelection() : null
      batches = await reextractGroups(legacy.pool, rows.flatMap(rowKeys), selection)
    }
    const runOf = run
    const retryable = page.filter((l) => l.kind === "rows" || entries.has(l.id))
    const done = await deleteLetters(d.client, d.keys, retryable, (tx, present) => {
      for (const l of present) {
        const e = entries.get(l.id)
        if (e) tx.xadd(e.stream, "*", ...toArgs(e.fields))
      }
      if (runOf && present.some((l) => l.kind === "rows")) publishBatches(tx, d.keys, runOf, batches)
    })
    if (done.some((l) => l.kind === "rows")) result.groupsReextracted += batches.reduce((n, b) => n + b.keys.length, 0)
    for (const l of done) {
      const stream = l.kind === "rows" ? d.keys.stream.extract : entries.get(l.id)!.stream
      result.retried.push({ id: l.id, stage: l.stage, reason: l.reason, kind: l.kind, stream, keys: l.kind === "rows" ? rowKeys(l) : null })
    }
  }
  result.run = run?.id ?? null
  return result
}
