import type pg from "pg"
import {
  SeedError,
  ensureDatabase,
  inTransaction,
  legacyTables,
  readComment,
  target,
  withClient,
  writeComment,
} from "./database"
import { type Lane, runLanes, secondsSince } from "./lanes"
import { type DeferredIndexes, type LegacyTable, deferIndexes, legacyDdl, restoreIndexes } from "./schema"
import { readSql } from "./sql-files"
import { type SeedParams, holdsSeed, parseState, seedingState, stateComment } from "./state"

export interface SeedOptions extends SeedParams {
  readonly force: boolean
}

export interface SeedSummary {
  readonly alreadySeeded: boolean
  readonly database: string
  readonly products: number
  readonly historyRows: number
  readonly seconds: number
}

export type Log = (line: string) => void

/** Orphan history keys: phantom products with history but no product row (see core.sql). */
export const orphanKeys = (products: number): number => Math.ceil(products / 150)

const count = (n: number): string => n.toLocaleString("en-US")

/**
 * Fills the legacy database with the data of (products, seed, asOf), on two connections: one
 * loads the products, then joins the other in generating history; the history indexes are then
 * built side by side.
 */
export async function seedLegacy(url: string, opts: SeedOptions, log: Log): Promise<SeedSummary> {
  const start = performance.now()
  const t = target(url)
  if (await ensureDatabase(t)) log(`created database ${t.name}`)
  const params: SeedParams = { products: opts.products, seed: opts.seed, asOf: opts.asOf }
  const proceed = await withClient(t.url, async (client) => {
    const state = parseState(await readComment(client))
    const tables = await legacyTables(client)
    if (!opts.force && tables.length === 2 && holdsSeed(state, params)) return false
    if (!opts.force && tables.length > 0 && state === undefined) {
      throw new SeedError(
        `database ${t.name} already has legacy tables that seed:legacy did not make; pass --force to replace them`,
      )
    }
    await writeComment(client, stateComment(seedingState(params)))
    return true
  })
  if (!proceed) {
    const what = `${count(params.products)} products of seed ${params.seed} as of ${params.asOf}`
    log(`already seeded: ${t.name} holds ${what}`)
    return { alreadySeeded: true, database: t.name, products: params.products, historyRows: 0, seconds: 0 }
  }
  log(`seeding ${t.name}: ${count(params.products)} products, seed ${params.seed}, as of ${params.asOf}`)
  const historyIndexes = await withClient(t.url, freshHistoryTable)
  const progress = historyProgress(params, log)
  await runLanes(t.url, [
    async (lane) => {
      await loadProducts(lane, params, log)
      await loadHistory(lane, params, progress)
    },
    (lane) => loadHistory(lane, params, progress),
  ])
  const indexStart = performance.now()
  await runLanes(
    t.url,
    historyIndexes.build.map((statement) => async (lane: Lane) => {
      // One build per core: parallel workers on top would only compete with the other build.
      await lane.client.query("SET max_parallel_maintenance_workers = 0; SET maintenance_work_mem = '1GB'")
      await lane.client.query(statement)
    }),
  )
  await withClient(t.url, async (client) => {
    for (const statement of historyIndexes.attach) await client.query(statement)
  })
  log(`history: indexes built in ${secondsSince(indexStart)} s`)
  await runLanes(t.url, [(lane) => analyze(lane.client, "product"), (lane) => analyze(lane.client, "history")])
  await withClient(t.url, (client) => writeComment(client, stateComment({ ...seedingState(params), status: "seeded" })))
  const seconds = Number(secondsSince(start))
  return { alreadySeeded: false, database: t.name, products: params.products, historyRows: progress.rows(), seconds }
}

async function analyze(client: pg.Client, table: LegacyTable): Promise<void> {
  await client.query(`ANALYZE ${table}`)
}

/**
 * Creates the empty history table (committed, so both lanes can fill it) without its indexes.
 * Its rows are WAL-logged, unlike the product table's; two cores filling it is worth far more.
 */
async function freshHistoryTable(client: pg.Client): Promise<DeferredIndexes> {
  return inTransaction(client, async () => {
    await client.query("DROP TABLE IF EXISTS history")
    for (const statement of legacyDdl().history) await client.query(statement)
    return deferIndexes(client, "history")
  })
}

/** The product table, created, filled and indexed in one transaction: PostgreSQL writes no WAL for it. */
async function loadProducts(lane: Lane, p: SeedParams, log: Log): Promise<void> {
  const { client } = lane
  const start = performance.now()
  const rows = await inTransaction(client, async () => {
    await client.query("DROP TABLE IF EXISTS product")
    for (const statement of legacyDdl().product) await client.query(statement)
    const deferred = await deferIndexes(client, "product")
    const r = await client.query(readSql("insert-products.sql"), [p.seed, p.products, p.asOf])
    await restoreIndexes(client, deferred)
    return r.rowCount ?? 0
  })
  log(`product: ${count(rows)} rows, indexed, in ${secondsSince(start)} s`)
}

interface HistoryProgress {
  /** The next range of product keys to generate history for, or undefined when none is left. */
  next(): { from: number; to: number } | undefined
  done(rows: number): void
  rows(): number
}

/** Ranges of keys handed to whichever lane is free, so the lanes finish together. */
function historyProgress(p: SeedParams, log: Log): HistoryProgress {
  const start = performance.now()
  const keys = p.products + orphanKeys(p.products)
  const size = Math.max(1000, Math.ceil(keys / 40))
  const ranges = Math.ceil(keys / size)
  let handed = 0
  let finished = 0
  let rows = 0
  let lastTenth = 0
  return {
    next() {
      if (handed >= ranges) return undefined
      const from = handed * size + 1
      handed++
      return { from, to: Math.min(keys, from + size - 1) }
    },
    done(n) {
      rows += n
      finished++
      const tenth = Math.floor((finished * 10) / ranges)
      if (tenth > lastTenth) {
        lastTenth = tenth
        log(`history: ${count(rows)} rows (${tenth * 10} %) in ${secondsSince(start)} s`)
      }
    },
    rows: () => rows,
  }
}

async function loadHistory(lane: Lane, p: SeedParams, progress: HistoryProgress): Promise<void> {
  const { client } = lane
  const sql = readSql("insert-history.sql")
  await inTransaction(client, async () => {
    for (let range = progress.next(); range !== undefined; range = progress.next()) {
      const r = await client.query(sql, [p.seed, p.products, p.asOf, range.from, range.to])
      progress.done(r.rowCount ?? 0)
    }
  })
}
