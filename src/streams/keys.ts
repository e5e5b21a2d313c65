import { type ConsumerStage, consumerStages, inputOf, type Stage, type StreamName, streamNames } from "../pipeline/stages"

/**
 * Every Redis key the pipeline uses, derived from one prefix and the stage registry. The prefix
 * is wrapped in a hash tag ({...}) so all keys of one pipeline live in one Redis Cluster slot
 * and MULTI/EXEC and Lua can span them (redis.io/docs/reference/cluster-spec, "Hash tags").
 */
export function streamKeys(prefix: string) {
  const p = `{${prefix}}`
  const stream = Object.fromEntries(streamNames.map((name) => [name, `${p}:stream:${name}`])) as Record<StreamName, string>
  return {
    prefix: p,
    stream,
    /** The input stream each consumer stage reads; its group is named after the stage. */
    input: Object.fromEntries(consumerStages.map((s) => [s, stream[inputOf(s)]])) as Record<ConsumerStage, string>,
    dlq: `${p}:stream:dlq`,
    /** Hash: the current run (id, kind, status, slices, timestamps). */
    run: `${p}:run`,
    /** Hash: the last finished run's summary, for status. */
    lastRun: `${p}:run:last`,
    counts: (runId: string) => `${p}:run:${runId}:counts`,
    /** Hash: extract work unit -> JSON position of extract within that unit. */
    unitPositions: (runId: string) => `${p}:run:${runId}:units`,
    /** String: which extract copy holds a work unit, with an expiry. */
    unitLease: (runId: string, unit: string) => `${p}:run:${runId}:lease:${unit}`,
    /** Hash: "<stream> <id>" -> last error of an entry that failed, for the dead-letter record. */
    lastErrors: `${p}:errors`,
    /** String, expiring: part n of an entry's output was published (lua/apply.lua). */
    part: (stream: string, id: string, n: number) => `${p}:part:${stream}:${id}:${n}`,
    /** Hash: "<stage>|<entity>|<reason>" -> rows dead-lettered. */
    dlqCounts: `${p}:dlq:counts`,
    /** List of JSON {t, n} samples of a stage's cumulative progress, newest first. */
    samples: (stage: Stage) => `${p}:samples:${stage}`,
    /** Hash: stage -> rows handled in a run, the counter the samples read. */
    progress: (runId: string) => `${p}:run:${runId}:progress`,
    /** String: the migrate supervising this pipeline (host, pid, token), with an expiry. */
    supervisor: `${p}:supervisor`,
    /** String: the process working as a stage under a consumer name (host:pid), with an expiry. */
    consumerName: (stage: Stage, name: string) => `${p}:consumer:${stage}:${name}`,
  }
}

export type StreamKeys = ReturnType<typeof streamKeys>
