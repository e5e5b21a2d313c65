import { mapGroup } from "../mapping/group"
import type { MappingConfig } from "../mapping/types"
import { decodeExtractBatch, type ExtractBatch, groupsOf } from "../messages/extract-batch"
import { errorMessage } from "../runtime/errors"
import { Effects } from "../streams/ack"
import type { MessageHandler } from "../streams/consumer"
import type { StreamKeys } from "../streams/keys"
import { buildOutputs, type MappedGroup, type TransformOutput } from "./outputs"

export interface TransformDeps {
  keys: StreamKeys
  mapping: MappingConfig
  historyBatchRows: number
}

/**
 * Rows transform may hold before it publishes what it mapped so far as a part of the entry's
 * output: memory is bounded by this, not by the batch or by its largest groups.
 */
const partRows = (historyBatchRows: number) => 2 * historyBatchRows

/**
 * transform: maps every group of an extract entry (src/mapping, no second implementation of
 * any rule here). The load entries and the dead letters are published with the entry's
 * acknowledgement, in one script, together with the outcome counts; a batch whose mapped rows
 * outgrow a part's size publishes its earlier groups in parts first, each exactly once.
 */
export function transformHandler(d: TransformDeps): MessageHandler<ExtractBatch> {
  const publish = (effects: Effects, out: TransformOutput, run: string) => {
    effects.publish(d.keys.stream.products, out.products)
    for (const h of out.histories) effects.publish(d.keys.stream.histories, h)
    for (const x of out.multimedia) effects.publish(d.keys.stream.multimedia, x)
    for (const l of out.letters) effects.deadLetter(d.keys, { ...l, stage: "transform", run, kind: "rows" })
  }
  return {
    decode: decodeExtractBatch,
    handle: async (batch, ctx) => {
      const options = batch.test ? { unmatchedHistories: "ignore" as const } : {}
      const sigs = { products: batch.productSigs, histories: batch.historySigs }
      const counts: Record<string, number> = {}
      let mapped: MappedGroup[] = []
      let rows = 0
      let products = 0
      const flush = () => {
        const out = buildOutputs(mapped, sigs, { run: batch.run, test: batch.test, ...(batch.retried ? { retried: true } : {}) }, d.historyBatchRows)
        for (const [k, v] of Object.entries(out.counts)) counts[k] = (counts[k] ?? 0) + v
        mapped = []
        rows = 0
        return out
      }
      for (const group of groupsOf(batch)) {
        // The last groups always go with the acknowledgement: a part is cut before a group, never after the last.
        if (rows > partRows(d.historyBatchRows)) {
          const part = new Effects()
          publish(part, flush(), batch.run)
          await ctx.publishPart(part)
        }
        products += group.products.length
        try {
          const cut = batch.cuts[group.key]
          const tail = cut === undefined ? undefined : { cut, seeds: batch.seeds }
          const result = mapGroup(group, d.mapping, tail === undefined ? options : { ...options, tail })
          mapped.push({ group, result, ...(tail === undefined ? {} : { tail, inert: batch.inert.has(group.key) }) })
          rows += result.migrated.reduce((n, m) => n + m.histories.length + m.multimedia.length, 0)
        } catch (err) {
          // One malformed group must not hold back the rest of the batch.
          mapped.push({ group, error: errorMessage(err) })
        }
      }
      publish(ctx.effects, flush(), batch.run)
      ctx.effects.count(d.keys, batch.run, counts)
      return products
    },
  }
}
