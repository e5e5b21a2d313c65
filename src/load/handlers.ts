import type { Redis } from "ioredis"
import type pg from "pg"
import { inTransaction } from "../db/connect"
import type { ChildRowsCodec, ChildRowsMessage, GroupEntry } from "../messages/child-rows"
import { decodeProducts, payloadOf, type ProductGroup, type ProductsMessage } from "../messages/products"
import type { ConsumerStage } from "../pipeline/stages"
import { upstreamDrained } from "../run/drain"
import { errorMessage } from "../runtime/errors"
import { backoffMs, deferralBackoff } from "../runtime/retry"
import { sleep } from "../runtime/sleep"
import type { HandlerContext, MessageHandler } from "../streams/consumer"
import type { StreamKeys } from "../streams/keys"
import { type ChildTable, presentProducts, writeChildRows } from "./child-rows"
import { RETRIED_SIG, recordGroupPart, recordGroupState, type StateColumn } from "./group-state"
import { isolate, type Refused } from "./isolate"
import { clearRefused, recordRefused } from "./refused"
import { bulkActive } from "./bulk"
import { countPresent, writeProducts } from "./products"

export interface LoaderDeps {
  pool: pg.Pool
  client: Redis
  keys: StreamKeys
}

/**
 * load-products: one transaction per entry, acknowledged after the commit. A product the
 * database refuses is isolated (groups, then the group's products, in halves) and dead-lettered
 * with the database's error (products.rejected.load_error); every other product is loaded.
 */
export function productsHandler(d: LoaderDeps): MessageHandler<ProductsMessage> {
  return {
    decode: decodeProducts,
    handle: async (m, ctx) => {
      let loaded = 0
      let displaced = 0
      let whole = false
      const write = async (groups: ProductGroup[], recordState: boolean) => {
        const signed = m.retried ? groups.map((g) => ({ ...g, sig: RETRIED_SIG })) : groups
        const w = await inTransaction(d.pool, async (tx) => writeProducts(tx, payloadOf(m, signed), recordState ? m.run : null, await bulkActive(tx)))
        loaded += groups.reduce((n, g) => n + g.products.length, 0)
        displaced += w.displaced
      }
      const refusedGroups = await isolate(m.groups, async (part, all) => {
        await write([...part], all && !m.test)
        whole ||= all
      })
      const refused: Refused<{ group: ProductGroup; id: string }>[] = []
      for (const { unit: g } of refusedGroups) {
        const products = g.products.map((p) => ({ group: g, id: p.id }))
        refused.push(...(await isolate(products, (part) => {
          const ids = new Set(part.map((p) => p.id))
          return write([{ ...g, products: g.products.filter((p) => ids.has(p.id)), claims: g.claims.filter((c) => ids.has(c[0])), notMigrated: [] }], false)
        })))
      }
      if (!whole && !m.test) {
        const failed = new Set(refusedGroups.map((r) => r.unit.key))
        const done = m.groups.filter((g) => !failed.has(g.key))
        await inTransaction(d.pool, (tx) => recordGroupState(tx, "products_sig", done.map((g) => [g.key, m.retried ? RETRIED_SIG : g.sig]), m.run))
      }
      await recordRefused(d.pool, "products", m.run, refused.map((r) => ({ id: r.unit.id, error: r.error })))
      for (const r of refused) {
        ctx.effects.deadLetter(d.keys, {
          stage: "load-products", reason: "load_error", entity: "product", run: m.run, kind: "rows", count: 1,
          payload: JSON.stringify({ keys: [r.unit.group.key], rows: [r.unit.group.products.find((p) => p.id === r.unit.id)] }),
          error: errorMessage(r.error),
        })
        ctx.log.warn({ product: r.unit.id, err: r.error }, "the v3 database refused a product; dead-lettered, the rest of its entry loaded")
      }
      // Counted with the acknowledgement, once per entry: "migrated" in the summary means in v3.
      ctx.effects.count(d.keys, m.run, {
        "products.loaded": loaded,
        "products.rejected.load_error": refused.length,
        "products.kept_previous": await countPresent(d.pool, m.groups.flatMap((g) => g.notMigrated)),
        "products.displaced": displaced,
      })
      return m.groups.reduce((n, g) => n + g.products.length, 0)
    },
    onDeadLetter: (m) => ({ "products.failed": m.groups.reduce((n, g) => n + g.products.length, 0) }),
  }
}

/** Waiting longer than this inside one delivery would hold a consumer slot for nothing. */
const MAX_DEFER_WAIT_MS = 5_000

/**
 * How long an entry's first delivery waits for its products before re-queuing the rest.
 * Transform publishes a batch's products and child rows together, and load-products commits
 * them a moment later: at 100k products, re-queuing at once sent about 300 entries of each
 * child stream round Redis a second time (deferred_entries), each with all its rows.
 */
const FIRST_WAIT_MS = 1_500
const FIRST_POLL_MS = 100

/**
 * Waits up to `ms` for the entry's products to be in v3, polling one of them: load-products
 * commits an entry's products in one transaction, so one stands for all, and the write's own
 * transaction checks every one. Polling every id cost the server an index probe per id per poll:
 * at 100k products 1,464 polls of about 250 ids, 14 s of statement time (pg_stat_statements).
 */
async function awaitProducts(pool: pg.Pool, ids: readonly string[], ms: number): Promise<void> {
  const probe = ids[ids.length - 1]
  if (probe === undefined) return
  const until = Date.now() + ms
  while ((await presentProducts(pool, [probe])).size === 0 && Date.now() + FIRST_POLL_MS <= until) await sleep(FIRST_POLL_MS)
}

/** What one child-rows entry wrote, and which of its products had to wait. */
interface ChildOutcome {
  written: number
  missing: Set<string>
}

/**
 * load-histories and load-multimedia: rows of products already in v3 are written; rows of
 * products not loaded yet are re-queued (a new entry carrying `only`), never dropped for that
 * reason. Only when nothing upstream can still load the product (extract finished and
 * transform and load-products drained: it was dead-lettered) do they go to the dead-letter
 * stream, from where `dlq retry` brings both back. A product whose rows the database refuses is
 * isolated and dead-lettered (load_error) while the entry's other products load.
 */
export function childRowsHandler<T>(
  d: LoaderDeps,
  stage: ConsumerStage,
  table: ChildTable<T>,
  codec: ChildRowsCodec<T>,
  stateColumn: StateColumn,
): MessageHandler<ChildRowsMessage> {
  const entity = table.table === "histories" ? "history" : "gallery_item"
  return {
    decode: codec.decode,
    handle: async (m, ctx) => {
      if (m.notBefore > Date.now()) await sleep(Math.min(m.notBefore - Date.now(), MAX_DEFER_WAIT_MS))
      const only = m.only ? new Set(m.only) : null
      const rows = { columns: codec.copyColumns, text: (products: ReadonlySet<string>) => codec.copyText(m, products) }
      const targets = m.bounds.filter((b) => !only || only.has(b[0]))
      if (m.deferrals === 0) await awaitProducts(d.pool, [...new Set(targets.map((b) => b[0]))], FIRST_WAIT_MS)
      const outcome: ChildOutcome = { written: 0, missing: new Set() }
      // Which part of its split group each product's rows here are (0: the group is whole in this entry).
      const partOf = new Map(m.keys.flatMap(([, , ids, part]) => ids.map((id) => [id, part?.[0] ?? 0] as const)))
      let whole = false
      const refused = await isolate([...new Set(targets.map((b) => b[0]))], async (part, all) => {
        const ids = new Set(part)
        const missing = await inTransaction(d.pool, async (tx) => {
          const present = await presentProducts(tx, [...new Set([...part, ...(all ? m.keys.flatMap((k) => k[2]) : [])])])
          const writing = targets.filter((b) => ids.has(b[0]) && present.has(b[0]))
          outcome.written += await writeChildRows(tx, table, rows, writing, (id) => partOf.get(id) ?? 0)
          await clearRefused(tx, table.table, [...new Set(writing.map((b) => b[0]))])
          if (all && !m.test) await recordStates(tx, stateColumn, m.keys.filter((k) => k[2].every((id) => present.has(id))), m.run, m.retried === true)
          return part.filter((id) => !present.has(id))
        })
        for (const id of missing) outcome.missing.add(id)
        whole ||= all
      })
      const refusedIds = new Set(refused.map((r) => r.unit))
      if (!whole && !m.test) {
        const present = await presentProducts(d.pool, [...new Set(m.keys.flatMap((k) => k[2]))])
        const done = m.keys.filter((k) => k[2].every((id) => present.has(id) && !refusedIds.has(id)))
        await inTransaction(d.pool, (tx) => recordStates(tx, stateColumn, done, m.run, m.retried === true))
      }
      const perProduct = codec.rowsPerProduct(m)
      await recordRefused(d.pool, table.table, m.run, refused.map((r) => ({ id: r.unit, error: r.error })))
      for (const r of refused) {
        const rows = perProduct.get(r.unit) ?? 0
        ctx.effects.deadLetter(d.keys, {
          stage, reason: "load_error", entity, run: m.run, kind: "rows", count: rows,
          payload: JSON.stringify({ keys: m.keys.filter((k) => k[2].includes(r.unit)).map((k) => k[0]), rows: [{ product: r.unit }] }),
          error: errorMessage(r.error),
        })
        ctx.effects.add(d.keys.counts(m.run), `${table.table}.rejected.load_error`, rows)
        ctx.log.warn({ product: r.unit, err: r.error }, `the v3 database refused a product's ${table.table}; dead-lettered, the rest of its entry loaded`)
      }
      if (outcome.missing.size > 0) await requeue(d, stage, codec, m, outcome.missing, ctx)
      ctx.effects.add(d.keys.counts(m.run), `${table.table}.written`, outcome.written)
      // Progress counts rows processed (written, unchanged or refused); rows waiting for their product count when they are.
      return targets.reduce((n, b) => n + (outcome.missing.has(b[0]) ? 0 : (perProduct.get(b[0]) ?? 0)), 0)
    },
    onDeadLetter: (m) => ({ [`${table.table}.failed`]: m.rows }),
  }
}

/**
 * Records the signatures of the groups an entry completed: whole groups at once, parts of split
 * groups as parts; a retried entry's groups, parts too, as RETRIED_SIG at once.
 */
async function recordStates(tx: pg.PoolClient, column: StateColumn, keys: GroupEntry[], run: string, retried: boolean): Promise<void> {
  if (retried) return recordGroupState(tx, column, keys.map(([k]) => [k, RETRIED_SIG]), run)
  await recordGroupState(tx, column, keys.filter((k) => !k[3]).map(([k, s]) => [k, s]), run)
  for (const [key, sig, , part] of keys) if (part && sig !== null) await recordGroupPart(tx, column, key, sig, part[0], part[1], run)
}

/** Re-queues the rows of products not in v3 yet, or dead-letters them once they cannot arrive any more. */
async function requeue<T>(d: LoaderDeps, stage: ConsumerStage, codec: ChildRowsCodec<T>, m: ChildRowsMessage, missing: Set<string>, ctx: HandlerContext): Promise<void> {
  const stream = d.keys.input[stage]
  const deferrals = m.deferrals + 1
  // Only the waiting products' rows travel again: the others' are written.
  const rest: ChildRowsMessage = {
    ...codec.narrow(m, missing),
    keys: m.keys.filter((k) => k[2].some((id) => missing.has(id))),
    only: [...missing],
    deferrals,
    notBefore: 0,
  }
  // Drained means load-products committed and acknowledged all it ever will: a fresh look at
  // v3 is final, and catches a product committed since the check above.
  const arrived = (await upstreamDrained(d.client, d.keys, stage)) ? (await presentProducts(d.pool, [...missing])).size : -1
  if (arrived === 0) {
    ctx.effects.deadLetter(d.keys, {
      stage, reason: "product_not_loaded", entity: "entry", run: m.run, kind: "entry", count: missing.size,
      payload: JSON.stringify(codec.encode(rest)), error: `products not in v3 after upstream drained: ${[...missing].slice(0, 5).join(", ")}`,
      sourceStream: stream, sourceId: ctx.id,
    })
    const counts = codec.rowsPerProduct(m)
    ctx.effects.add(d.keys.counts(m.run), `${codec.table}.not_loaded`, [...missing].reduce((n, id) => n + (counts.get(id) ?? 0), 0))
  } else {
    rest.notBefore = arrived > 0 ? 0 : Date.now() + backoffMs(deferrals, deferralBackoff)
    ctx.effects.publish(stream, codec.encode(rest)).add(d.keys.counts(m.run), `${stage}.deferred_entries`, 1)
  }
}
