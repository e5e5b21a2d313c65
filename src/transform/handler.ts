import { mapGroup } from "../mapping/group"
import type { MappingConfig } from "../mapping/types"
import { decodeExtractBatch, type ExtractBatch, groupsOf } from "../messages/extract-batch"
import { errorMessage } from "../runtime/errors"
import type { MessageHandler } from "../streams/consumer"
import type { StreamKeys } from "../streams/keys"
import { buildOutputs, type MappedGroup } from "./outputs"

export interface TransformDeps {
  keys: StreamKeys
  mapping: MappingConfig
  historyBatchRows: number
}

/**
 * transform: maps every group of an extract entry (src/mapping, no second implementation of
 * any rule here); the load entries, the dead letters and the outcome counts are published with
 * the entry's acknowledgement, in one script: outputs and ack land together or not at all.
 */
export function transformHandler(d: TransformDeps): MessageHandler<ExtractBatch> {
  return {
    decode: decodeExtractBatch,
    handle: async (batch, ctx) => {
      const groups = groupsOf(batch)
      const options = batch.test ? { unmatchedHistories: "ignore" as const } : {}
      const mapped: MappedGroup[] = groups.map((group) => {
        try {
          return { group, result: mapGroup(group, d.mapping, options) }
        } catch (err) {
          // One malformed group must not hold back the rest of the batch.
          return { group, error: errorMessage(err) }
        }
      })
      const out = buildOutputs(mapped, { products: batch.productSigs, histories: batch.historySigs }, batch, d.historyBatchRows)
      ctx.effects.publish(d.keys.stream.products, out.products)
      for (const h of out.histories) ctx.effects.publish(d.keys.stream.histories, h)
      for (const x of out.multimedia) ctx.effects.publish(d.keys.stream.multimedia, x)
      for (const l of out.letters) ctx.effects.deadLetter(d.keys, { ...l, stage: "transform", run: batch.run, kind: "rows" })
      ctx.effects.count(d.keys, batch.run, out.counts)
      return groups.reduce((n, g) => n + g.products.length, 0)
    },
  }
}
