import type { Redis } from "ioredis"
import type { Stage, StreamKeys } from "./keys"

const SAMPLE_EVERY_MS = 2_000
/** Ten minutes of samples at one per two seconds: enough for a rate and an ETA. */
const SAMPLES_KEPT = 300
const lastSample = new Map<string, number>()

/**
 * Adds handled rows to the stage's counter for the run and, at most every two seconds per
 * process, pushes a {t, n} sample so status can compute rates from a one-shot read.
 */
export async function recordProgress(client: Redis, keys: StreamKeys, runId: string, stage: Stage, rows: number): Promise<void> {
  const total = await client.hincrby(keys.progress(runId), stage, rows)
  const now = Date.now()
  const key = keys.samples(stage)
  if (now - (lastSample.get(key) ?? 0) < SAMPLE_EVERY_MS) return
  lastSample.set(key, now)
  await client.multi().lpush(key, JSON.stringify({ t: now, n: total, run: runId })).ltrim(key, 0, SAMPLES_KEPT - 1).exec()
}

export interface Sample {
  t: number
  n: number
  run: string
}

export async function readSamples(client: Redis, keys: StreamKeys, stage: Stage): Promise<Sample[]> {
  const raw = await client.lrange(keys.samples(stage), 0, -1)
  return raw.map((s) => JSON.parse(s) as Sample).reverse()
}
