import type pg from "pg"
import type { KeyBatch } from "./batches"
import { fetchHistories, fetchProducts } from "./sql"

/** A batch of groups as transform receives it: legacy rows as JSON text, plus change signatures. */
export interface GroupBatch {
  keys: string[]
  lastKey: string
  productsJson: string
  historiesJson: string
  /** JSON objects key -> signature. */
  productSigsJson: string
  historySigsJson: string
  productCount: number
  historyCount: number
}

export async function fetchGroups(pool: pg.Pool, batch: KeyBatch): Promise<GroupBatch> {
  const [products, histories] = await Promise.all([
    batch.uuids.length > 0
      ? pool.query<{ rows: string; sigs: string }>(fetchProducts, [batch.uuids])
      : Promise.resolve({ rows: [{ rows: "[]", sigs: "{}" }] }),
    pool.query<{ k: string; sig: string; n: number; rows: string }>(fetchHistories, [batch.keys]),
  ])
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
    productCount: batch.uuids.length,
    historyCount: h.reduce((n, r) => n + r.n, 0),
  }
}
