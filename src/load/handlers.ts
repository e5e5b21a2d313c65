import type { Redis } from "ioredis"
import type pg from "pg"
import { inTransaction } from "../db/connect"
import { upstreamDrained } from "../pipeline/drain"
import { crashPoint } from "../runtime/faults"
import type { EntryHandler } from "../streams/consumer"
import { addDeadLetter } from "../streams/dead-letter"
import { toArgs } from "../streams/entries"
import type { ConsumerStage, StreamKeys } from "../streams/keys"
import type { ProductsPayload } from "../transform/outputs"
import { type ChildTable, columnFields, presentProducts, writeChildRows } from "./child-rows"
import { recordGroupState, type StateColumn } from "./group-state"
import { writeProducts } from "./products"

export interface LoaderDeps {
  pool: pg.Pool
  client: Redis
  keys: StreamKeys
}

/** load-products: one transaction per entry, acknowledged only after the commit. */
export function productsHandler(d: LoaderDeps): EntryHandler {
  return async (entry) => {
    const f = entry.fields!
    const payload = JSON.parse(f["payload"] ?? "null") as ProductsPayload
    const written = await inTransaction(d.pool, (tx) => writeProducts(tx, payload, f["test"] !== "1"))
    crashPoint("load-products", "after-commit")
    const tx = d.client.multi()
    const counts = d.keys.counts(f["run"] ?? "")
    if (written.keptPrevious > 0) tx.hincrby(counts, "products.kept_previous", written.keptPrevious)
    if (written.displaced > 0) tx.hincrby(counts, "products.displaced", written.displaced)
    tx.xack(d.keys.input["load-products"], "load-products", entry.id)
    await tx.exec()
    return payload.products.length
  }
}

type KeyEntry = [key: string, sig: string | null, productIds: string[]]

const MAX_DEFER_DELAY_MS = 5_000

/**
 * load-histories and load-multimedia: rows of products already in v3 are written; rows of
 * products not loaded yet are re-queued (a new entry carrying `only`), never dropped for that
 * reason. Only when nothing upstream can still load the product (extract finished and
 * transform and load-products drained: it was dead-lettered) do they go to the dead-letter
 * stream, from where `dlq retry` brings both back.
 */
export function childRowsHandler<T>(d: LoaderDeps, stage: ConsumerStage, table: ChildTable<T>, stateColumn: StateColumn): EntryHandler {
  const stream = d.keys.input[stage]
  return async (entry) => {
    const f = entry.fields!
    const notBefore = Number(f["not_before"] ?? 0)
    if (notBefore > Date.now()) await new Promise((r) => setTimeout(r, Math.min(notBefore - Date.now(), MAX_DEFER_DELAY_MS)))
    const keys = JSON.parse(f["keys"] ?? "[]") as KeyEntry[]
    const target = JSON.parse(f["only"] ?? f["products"] ?? "[]") as string[]
    const columns = columnFields(table, f)
    const { written, missing, incomplete } = await inTransaction(d.pool, async (tx) => {
      const present = await presentProducts(tx, [...new Set([...target, ...keys.flatMap((k) => k[2])])])
      const written = await writeChildRows(tx, table, columns, target.filter((id) => present.has(id)))
      const complete = keys.filter((k) => k[2].every((id) => present.has(id)))
      if (f["test"] !== "1") await recordGroupState(tx, stateColumn, complete.map(([k, s]) => [k, s]))
      return {
        written,
        missing: target.filter((id) => !present.has(id)),
        incomplete: keys.filter((k) => !k[2].every((id) => present.has(id))),
      }
    })
    crashPoint(stage, "after-commit")
    const tx = d.client.multi()
    if (missing.length > 0) {
      const deferrals = Number(f["deferrals"] ?? 0) + 1
      const rest: Record<string, string> = { ...f, keys: JSON.stringify(incomplete), only: JSON.stringify(missing), deferrals: String(deferrals) }
      // Drained means load-products committed and acknowledged all it ever will: a fresh look at
      // v3 is final, and catches a product committed since the check above.
      const arrived = (await upstreamDrained(d.client, d.keys, stage)) ? (await presentProducts(d.pool, missing)).size : -1
      if (arrived === 0) {
        addDeadLetter(tx, d.keys, {
          stage, reason: "product_not_loaded", entity: "entry", run: f["run"] ?? "", kind: "entry", count: missing.length,
          payload: JSON.stringify(rest), error: `products not in v3 after upstream drained: ${missing.slice(0, 5).join(", ")}`,
          sourceStream: stream, sourceId: entry.id,
        })
      } else {
        rest["not_before"] = String(arrived > 0 ? 0 : Date.now() + Math.min(MAX_DEFER_DELAY_MS, 100 * 2 ** deferrals))
        tx.xadd(stream, "*", ...toArgs(rest))
        tx.hincrby(d.keys.counts(f["run"] ?? ""), `${stage}.deferred_entries`, 1)
      }
    }
    tx.xack(stream, stage, entry.id)
    await tx.exec()
    return written
  }
}
