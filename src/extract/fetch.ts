import type pg from "pg"
import type { KeyBatch } from "./batches"
import { inTransaction } from "../db/connect"
import { copyOut } from "../db/copy"
import { firstDateNotBefore } from "../mapping/dates"
import { countOf } from "../messages/copy-text"
import { boolArray, copyHistories, copyHistoryRowsSince, fetchProducts, fetchProductsByKey, fetchSeeds, historyTails, textArray } from "./sql"

/** A batch of groups as transform receives it: legacy rows as PostgreSQL wrote them, plus change signatures. */
export interface GroupBatch {
  keys: string[]
  lastKey: string
  productsJson: string
  /** In the wire form of src/messages/history-rows.ts. */
  historyRows: string
  /** JSON object key -> signature. */
  productSigsJson: string
  /** JSON object key -> signature, when not every group's rows are all sent (tails); else "{}". */
  historySigsJson: string
  /** JSON object key -> the date a tail's rows were read from (src/extract/sql.ts historyTails). */
  cutsJson: string
  /** JSON array of the tails whose added rows repeat rows already there: only their dates' rows were read (historyTails). */
  inertJson: string
  /** JSON object product id -> what v3 holds of it before its group's cut (src/extract/sql.ts fetchSeeds). */
  seedsJson: string
  productCount: number
  historyCount: number
}

/** An incremental run's means to send tails: the previous run's legacy horizon and v3. */
export interface TailSource {
  horizon: string
  v3: pg.Pool
}

interface TailGroup {
  k: string
  sig: string
  since: string | null
  tail: boolean
  /** A tail whose added rows repeat rows already there: their dates (src/extract/sql.ts historyTails). */
  inert: string[] | null
}

/**
 * The batch's rows. With `tails` (an incremental run), the groups of `batch.recorded` whose
 * products are as their last load recorded and whose history rows only gained rows since then
 * are tails: their history rows are read from the first date the added rows can change on, and
 * v3's rows before it seed their mapping.
 */
export async function fetchGroups(pool: pg.Pool, batch: KeyBatch, tails: TailSource | null = null): Promise<GroupBatch> {
  // Both queries on one connection, one after the other: a server process pays to map each
  // shared buffer it first touches, and here a batch's rows lie all over the history heap, so
  // every connection that reads batches ends up mapping all of it. Five reading connections
  // spent 18 CPU-seconds at 100k products, three 12–14 (docs/DECISIONS.md 35).
  const client = await pool.connect()
  let broken: Error | undefined
  let products: { rows: { rows: string; sigs: string }[] }
  let historyRows: string
  let tailGroups: TailGroup[] = []
  try {
    const byKey = batch.byKey
    products = byKey !== undefined && byKey.externalIds.length > 0
      ? await client.query<{ rows: string; sigs: string }>(fetchProductsByKey, [byKey.platforms, byKey.countries, byKey.externalIds])
      : batch.uuids.length > 0
        ? await client.query<{ rows: string; sigs: string }>(fetchProducts, [batch.uuids])
        : { rows: [{ rows: "[]", sigs: "{}" }] }
    const candidates = tails === null ? [] : tailCandidates(batch, products.rows[0]!.sigs)
    if (candidates.length > 0) {
      tailGroups = await fetchTails(client, batch.keys, candidates, tails!.horizon)
      // No since (the added rows have no date): "~" sorts after every valid date, so only invalid ones go.
      // An inert tail: one entry per date of its added rows, those dates' rows only.
      const entries = tailGroups.flatMap((g): [string, string | null, boolean][] =>
        g.tail && g.inert ? g.inert.map((day) => [g.k, day, true]) : [[g.k, g.tail ? (g.since ?? "~") : null, false]])
      historyRows = await copyOut(client, copyHistoryRowsSince(
        textArray(entries.map((e) => e[0])), textArray(entries.map((e) => e[1])), boolArray(entries.map((e) => e[2]))))
    } else historyRows = batch.keys.length > 0 ? await copyOut(client, copyHistories(textArray(batch.keys))) : ""
  } catch (err) {
    // A connection a server restart cut must not go back to the pool.
    broken = err instanceof Error ? err : new Error(String(err))
    throw err
  } finally {
    client.release(broken)
  }
  const p = products.rows[0]!
  const cuts = tailGroups.filter((g) => g.tail).map((g) => [g.k, firstDateNotBefore(g.since)] as const)
  return {
    keys: batch.keys,
    lastKey: batch.lastKey,
    productsJson: p.rows,
    historyRows,
    productSigsJson: p.sigs,
    // A tail's rows are not all its group's: every group's signature travels as historyTails computed it.
    historySigsJson: tailGroups.length === 0 ? "{}" : JSON.stringify(Object.fromEntries(tailGroups.map((g) => [g.k, g.sig]))),
    cutsJson: JSON.stringify(Object.fromEntries(cuts)),
    inertJson: JSON.stringify(tailGroups.filter((g) => g.tail && g.inert).map((g) => g.k)),
    seedsJson: cuts.length === 0 ? "{}" : await seedsOf(tails!.v3, cuts),
    productCount: batch.uuids.length + (batch.byKey?.externalIds.length ?? 0),
    historyCount: countOf(historyRows, "\n"),
  }
}

/** Each key's history signature and whether it is a tail, from when (src/extract/sql.ts historyTails). */
async function fetchTails(client: pg.PoolClient, keys: string[], candidates: [string, string][], horizon: string): Promise<TailGroup[]> {
  const { rows } = await client.query<TailGroup>(historyTails, [keys, candidates.map((c) => c[0]), candidates.map((c) => c[1]), horizon])
  return rows
}

/** Recorded keys whose products' signature is still the recorded one, with their recorded histories signature. */
function tailCandidates(batch: KeyBatch, productSigsJson: string): [key: string, recordedHistories: string][] {
  const recorded = Object.entries(batch.recorded ?? {})
  if (recorded.length === 0) return []
  const productSigs = JSON.parse(productSigsJson) as Record<string, string>
  return recorded.filter(([k, [psig]]) => productSigs[k] !== undefined && productSigs[k] === psig).map(([k, [, hsig]]) => [k, hsig])
}

async function seedsOf(v3: pg.Pool, cuts: readonly (readonly [string, string])[]): Promise<string> {
  return inTransaction(v3, async (tx) => {
    // float8 text that reads back exactly, whatever the server's default (src/extract/sql.ts fetchSeeds).
    await tx.query("SET LOCAL extra_float_digits = 1")
    const { rows } = await tx.query<{ seeds: string }>(fetchSeeds, [cuts.map((c) => c[0]), cuts.map((c) => c[1])])
    return rows[0]!.seeds
  }, "BEGIN READ ONLY")
}
