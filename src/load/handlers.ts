import type pg from "pg"
import type { Redis } from "ioredis"
import { inTransaction } from "../db/connect"
import type { ChildRowsCodec, ChildRowsMessage } from "../messages/child-rows"
import { decodeProducts, type ProductsMessage } from "../messages/products"
import type { ConsumerStage } from "../pipeline/stages"
import { upstreamDrained } from "../run/drain"
import { backoffMs, deferralBackoff } from "../runtime/retry"
import { sleep } from "../runtime/sleep"
import type { MessageHandler } from "../streams/consumer"
import type { StreamKeys } from "../streams/keys"
import { type ChildTable, presentProducts, writeChildRows } from "./child-rows"
import { recordGroupState, type StateColumn } from "./group-state"
import { writeProducts } from "./products"

export interface LoaderDeps {
  pool: pg.Pool
  client: Redis
  keys: StreamKeys
}

/** load-products: one transaction per entry; the consumer acknowledges it after the commit. */
export function productsHandler(d: LoaderDeps): MessageHandler<ProductsMessage> {
  return {
    decode: decodeProducts,
    handle: async (m, ctx) => {
      const written = await inTransaction(d.pool, (tx) => writeProducts(tx, m, !m.test))
      // Counted with the acknowledgement, once per entry: "migrated" in the summary means in v3.
      ctx.effects.count(d.keys, m.run, {
        "products.loaded": m.products.length,
        "products.kept_previous": written.keptPrevious,
        "products.displaced": written.displaced,
      })
      return m.products.length
    },
    onDeadLetter: (m) => ({ "products.failed": m.products.length }),
  }
}

/** Waiting longer than this inside one delivery would hold a consumer slot for nothing. */
const MAX_DEFER_WAIT_MS = 5_000

/**
 * load-histories and load-multimedia: rows of products already in v3 are written; rows of
 * products not loaded yet are re-queued (a new entry carrying `only`), never dropped for that
 * reason. Only when nothing upstream can still load the product (extract finished and
 * transform and load-products drained: it was dead-lettered) do they go to the dead-letter
 * stream, from where `dlq retry` brings both back.
 */
export function childRowsHandler<T>(
  d: LoaderDeps,
  stage: ConsumerStage,
  table: ChildTable<T>,
  codec: ChildRowsCodec<T>,
  stateColumn: StateColumn,
): MessageHandler<ChildRowsMessage> {
  const stream = d.keys.input[stage]
  return {
    decode: codec.decode,
    handle: async (m, ctx) => {
      if (m.notBefore > Date.now()) await sleep(Math.min(m.notBefore - Date.now(), MAX_DEFER_WAIT_MS))
      const target = m.only ?? m.products
      const { written, missing, incomplete } = await inTransaction(d.pool, async (tx) => {
        const present = await presentProducts(tx, [...new Set([...target, ...m.keys.flatMap((k) => k[2])])])
        const written = await writeChildRows(tx, table, m.columns, target.filter((id) => present.has(id)))
        const complete = m.keys.filter((k) => k[2].every((id) => present.has(id)))
        if (!m.test) await recordGroupState(tx, stateColumn, complete.map(([k, s]) => [k, s]))
        return {
          written,
          missing: target.filter((id) => !present.has(id)),
          incomplete: m.keys.filter((k) => !k[2].every((id) => present.has(id))),
        }
      })
      if (missing.length > 0) {
        const deferrals = m.deferrals + 1
        const rest: ChildRowsMessage = { ...m, keys: incomplete, only: missing, deferrals, notBefore: 0 }
        // Drained means load-products committed and acknowledged all it ever will: a fresh look at
        // v3 is final, and catches a product committed since the check above.
        const arrived = (await upstreamDrained(d.client, d.keys, stage)) ? (await presentProducts(d.pool, missing)).size : -1
        if (arrived === 0) {
          ctx.effects.deadLetter(d.keys, {
            stage, reason: "product_not_loaded", entity: "entry", run: m.run, kind: "entry", count: missing.length,
            payload: JSON.stringify(codec.encode(rest)), error: `products not in v3 after upstream drained: ${missing.slice(0, 5).join(", ")}`,
            sourceStream: stream, sourceId: ctx.id,
          })
        } else {
          rest.notBefore = arrived > 0 ? 0 : Date.now() + backoffMs(deferrals, deferralBackoff)
          ctx.effects.publish(stream, codec.encode(rest)).add(d.keys.counts(m.run), `${stage}.deferred_entries`, 1)
        }
      }
      return written
    },
    onDeadLetter: (m) => ({ [`${table.table}.failed`]: m.rows }),
  }
}
