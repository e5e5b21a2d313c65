import type pg from "pg"
import type { KeyBatch } from "./batches"
import { fetchHistories, fetchHistoriesWithTails, fetchProducts } from "./sql"

/** A batch of groups as transform receives it: legacy rows as JSON text, plus change signatures. */
export interface GroupBatch {
  keys: string[]
  lastKey: string
  productsJson: string
  historiesJson: string
  /** JSON objects key -> signature. */
  productSigsJson: string
  historySigsJson: string
  /** JSON object key -> uuids of the history rows added since its last load, for groups that only gained rows (src/extract/sql.ts). */
  tailsJson: string
  productCount: number
  historyCount: number
}

/**
 * The batch's rows. `horizon`, in an incremental run, is the previous run's legacy horizon: the
 * groups of `batch.recorded` whose products are as their last load recorded and whose history
 * rows only gained rows since then are listed in `tailsJson` with the added rows, so transform
 * sends their rows from the first changed date on only.
 */
export async function fetchGroups(pool: pg.Pool, batch: KeyBatch, horizon: string | null = null): Promise<GroupBatch> {
  const recorded = horizon !== null ? Object.entries(batch.recorded ?? {}) : []
  // Both queries on one connection, one after the other: a server process pays to map each
  // shared buffer it first touches, and here a batch's rows lie all over the history heap, so
  // every connection that reads batches ends up mapping all of it. Five reading connections
  // spent 18 CPU-seconds at 100k products, three 12–14 (docs/DECISIONS.md 35).
  const client = await pool.connect()
  let broken: Error | undefined
  let products: { rows: { rows: string; sigs: string }[] }
  let histories: { rows: { k: string; sig: string; n: number; rows: string; added?: string | null }[] }
  try {
    products = batch.uuids.length > 0
      ? await client.query<{ rows: string; sigs: string }>(fetchProducts, [batch.uuids])
      : { rows: [{ rows: "[]", sigs: "{}" }] }
    histories = recorded.length > 0
      ? await client.query<{ k: string; sig: string; n: number; rows: string; added: string | null }>(fetchHistoriesWithTails, [
          batch.keys, recorded.map((r) => r[0]), recorded.map((r) => r[1][1]), horizon,
        ])
      : await client.query<{ k: string; sig: string; n: number; rows: string; added?: null }>(fetchHistories, [batch.keys])
  } catch (err) {
    // A connection a server restart cut must not go back to the pool.
    broken = err instanceof Error ? err : new Error(String(err))
    throw err
  } finally {
    client.release(broken)
  }
  const p = products.rows[0]!
  const h = histories.rows
  return {
    keys: batch.keys,
    lastKey: batch.lastKey,
    productsJson: p.rows,
    // The rows are JSON text already: joined as they came, never parsed here.
    historiesJson: `{${h.map((r) => `${JSON.stringify(r.k)}:${r.rows}`).join(",")}}`,
    productSigsJson: p.sigs,
    historySigsJson: JSON.stringify(Object.fromEntries(h.map((r) => [r.k, r.sig]))),
    tailsJson: tailsOf(batch, p.sigs, h),
    productCount: batch.uuids.length,
    historyCount: h.reduce((n, r) => n + r.n, 0),
  }
}

/** The groups whose products' signature is still the recorded one and whose history rows only gained rows. */
function tailsOf(batch: KeyBatch, productSigsJson: string, histories: readonly { k: string; added?: string | null }[]): string {
  const candidates = histories.filter((r) => r.added != null)
  if (candidates.length === 0) return "{}"
  const productSigs = JSON.parse(productSigsJson) as Record<string, string>
  const tails = candidates.filter((r) => productSigs[r.k] !== undefined && productSigs[r.k] === batch.recorded?.[r.k]?.[0])
  return `{${tails.map((r) => `${JSON.stringify(r.k)}:${r.added!}`).join(",")}}`
}
