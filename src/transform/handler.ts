import type { Redis } from "ioredis"
import { mapGroup } from "../mapping/group"
import type { MappingConfig } from "../mapping/types"
import { errorMessage } from "../runtime/errors"
import type { EntryHandler } from "../streams/consumer"
import { addDeadLetter } from "../streams/dead-letter"
import { toArgs } from "../streams/entries"
import type { StreamKeys } from "../streams/keys"
import { decodeExtractEntry } from "./decode"
import { buildOutputs, type MappedGroup } from "./outputs"

export interface TransformDeps {
  client: Redis
  keys: StreamKeys
  mapping: MappingConfig
  historyBatchRows: number
}

/**
 * transform: maps every group of an extract entry (src/mapping, no second implementation of
 * any rule here) and, in one MULTI/EXEC, publishes the load entries, the dead letters and the
 * outcome counts and acknowledges the input: outputs and ack land together or not at all.
 */
export function transformHandler(d: TransformDeps): EntryHandler {
  return async (entry) => {
    const batch = decodeExtractEntry(entry.fields!)
    const options = batch.testMode ? { unmatchedHistories: "ignore" as const } : {}
    const mapped: MappedGroup[] = batch.groups.map((group) => {
      try {
        return { group, result: mapGroup(group, d.mapping, options) }
      } catch (err) {
        // One malformed group must not hold back the rest of the batch.
        return { group, error: errorMessage(err) }
      }
    })
    const base: Record<string, string> = { run: batch.run, ...(batch.testMode ? { test: "1" } : {}) }
    const out = buildOutputs(mapped, { products: batch.productSigs, histories: batch.historySigs }, base, d.historyBatchRows)
    const tx = d.client.multi()
    tx.xadd(d.keys.stream.products, "*", ...toArgs(out.products))
    for (const h of out.histories) tx.xadd(d.keys.stream.histories, "*", ...toArgs(h))
    tx.xadd(d.keys.stream.multimedia, "*", ...toArgs(out.multimedia))
    for (const l of out.letters) addDeadLetter(tx, d.keys, { ...l, stage: "transform", run: batch.run, kind: "rows" })
    for (const [k, v] of Object.entries(out.counts)) tx.hincrby(d.keys.counts(batch.run), k, v)
    tx.xack(d.keys.input.transform, "transform", entry.id)
    const results = await tx.exec()
    const failed = results?.find(([err]) => err)
    if (!results || failed) throw new Error(`publishing transform outputs failed: ${failed?.[0]?.message ?? "transaction aborted"}`)
    return batch.groups.reduce((n, g) => n + g.products.length, 0)
  }
}
