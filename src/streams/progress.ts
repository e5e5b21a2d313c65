import type { Redis } from "ioredis"
import type { Stage } from "../pipeline/stages"
import type { StreamKeys } from "./keys"

const SAMPLE_EVERY_MS = 2_000
/** Ten minutes of samples at one per two seconds: enough for a rate and an ETA. */
const SAMPLES_KEPT = 300
const lastSample = new Map<string, number>()

/**
 * At most every two seconds per process and stage, pushes a {t, n} sample of the stage's
 * progress counter (added to atomically with each acknowledgement, lua/ack.lua), so status can
 * compute rates from a one-shot read.
 */
export async function sampleProgress(client: Redis, keys: StreamKeys, runId: string, stage: Stage): Promise<void> {
  const key = keys.samples(stage)
  const now = Date.now()
  if (now - (lastSample.get(key) ?? 0) < SAMPLE_EVERY_MS) return
  lastSample.set(key, now)
  const total = Number((await client.hget(keys.progress(runId), stage)) ?? 0)
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
