import type pg from "pg"
import { defaultScrapeShare } from "./args"
import { SeedError, inTransaction, readComment, target, writeComment } from "./database"
import { openLane, secondsSince } from "./lanes"
import type { Log } from "./seed"
import { readSql } from "./sql-files"
import { type SeedState, lastDay, nextDay, parseState, stateComment } from "./state"

export interface ChangesOptions {
  readonly seed: number | undefined
  readonly day: string | undefined
  readonly fraction: number
  /** Share of recently changed products scraped on the day (default 0.85). */
  readonly scrapeShare?: number
}

export interface ChangesSummary {
  readonly database: string
  readonly day: string
  readonly seed: number
  /** Edited products by kind of edit. */
  readonly edited: Readonly<Record<string, number>>
  readonly invalidated: number
  readonly newProducts: number
  readonly newColliding: number
  readonly todayRows: number
  readonly rescrapeRows: number
  readonly gapRows: number
  readonly seconds: number
}

const editKinds = ["price", "name", "stock", "visibility", "provider renamed", "gallery item removed", "categories"]

/**
 * One day of legacy activity on a seeded database, in one transaction: edits, a few invalidated
 * and new products, re-scrapes of past days, rows inside former gaps, and the day's scrape.
 * Products are never deleted and their platform, country and external_id never change.
 */
export async function applyChanges(url: string, opts: ChangesOptions, log: Log): Promise<ChangesSummary> {
  const start = performance.now()
  const t = target(url)
  const lane = await openLane(t.url).catch((err: unknown) => {
    if ((err as { code?: string }).code === "3D000") {
      throw new SeedError(`database ${t.name} does not exist: seed it first (npm run seed:legacy -- --products N)`)
    }
    throw err
  })
  try {
    const state = parseState(await readComment(lane.client))
    if (state?.status !== "seeded") {
      throw new SeedError(
        `database ${t.name} holds no finished seed:legacy data: seed it first (npm run seed:legacy -- --products N)`,
      )
    }
    const last = lastDay(state)
    const day = opts.day ?? nextDay(last)
    if (day <= last) {
      throw new SeedError(`--day ${day} is not after ${last}, the last day in ${t.name}: pick a later day`, 2)
    }
    const seed = opts.seed ?? state.seed
    const simulated = { day, seed, fraction: opts.fraction, scrapeShare: opts.scrapeShare ?? defaultScrapeShare }
    const summary = await inTransaction(lane.client, () => simulateDay(lane.client, state, simulated, log))
    const result: ChangesSummary = { database: t.name, day, seed, ...summary, seconds: Number(secondsSince(start)) }
    report(result, log)
    return result
  } finally {
    await lane.client.end()
  }
}

type DaySummary = Omit<ChangesSummary, "database" | "day" | "seed" | "seconds">

async function simulateDay(
  client: pg.Client,
  state: SeedState,
  p: { day: string; seed: number; fraction: number; scrapeShare: number },
  log: Log,
): Promise<DaySummary> {
  const run = async <R extends pg.QueryResultRow>(file: string, params: unknown[]): Promise<pg.QueryResult<R>> => {
    const start = performance.now()
    try {
      const r = await client.query<R>(readSql(`changes/${file}.sql`), params)
      log(`${file}: ${r.rowCount ?? 0} rows in ${secondsSince(start)} s`)
      return r
    } catch (err) {
      if (err instanceof Error) err.message = `${file}: ${err.message}`
      throw err
    }
  }
  const count = async (file: string, params: unknown[]): Promise<number> => (await run(file, params)).rowCount ?? 0
  // The day's own seed, so that each simulated day differs and none repeats another's uuids.
  const { rows } = await client.query<{ s: string }>(
    "SELECT (hashint8extended($2::date - date '2000-01-01', $1::bigint) & 2147483647)::text AS s",
    [p.seed, p.day],
  )
  const daySeed = Number(rows[0]?.s ?? 0)
  const edits = await run<{ kind: number; n: number }>("edit-products", [daySeed, p.day, p.fraction])
  const invalidCount = Math.max(2, Math.round((state.products * p.fraction) / 200))
  const invalidated = await count("invalidate-products", [daySeed, p.day, invalidCount])
  const newCount = Math.min(999, Math.max(3, Math.round((state.products * p.fraction) / 10)))
  const newColliding = Math.ceil(newCount * 0.3)
  const newProducts = await count("new-products", [p.seed, p.day, state.products, daySeed, newCount, newColliding])
  const colliding = await run<{ n: number }>("count-colliding", [p.day])
  const rescrapeRows = await count("rescrape-history", [daySeed, p.day, p.fraction])
  const gapRows = await count("gap-history", [daySeed, p.fraction])
  const todayRows = await count("today-history", [daySeed, p.day, p.scrapeShare])
  const changes = [...state.changes, { day: p.day, seed: p.seed, fraction: p.fraction }]
  await writeComment(client, stateComment({ ...state, changes }))
  return {
    edited: Object.fromEntries(edits.rows.map((r) => [editKinds[r.kind - 1] ?? String(r.kind), r.n])),
    invalidated,
    newProducts,
    newColliding: colliding.rows[0]?.n ?? 0,
    todayRows,
    rescrapeRows,
    gapRows,
  }
}

function report(s: ChangesSummary, log: Log): void {
  const edits = Object.entries(s.edited).map(([kind, n]) => `${kind} ${n}`)
  const total = Object.values(s.edited).reduce((a, b) => a + b, 0)
  log(`applied ${s.day} (seed ${s.seed}) to ${s.database} in ${s.seconds.toFixed(1)} s:`)
  log(`  products edited: ${total} (${edits.join(", ") || "none"})`)
  log(`  products made invalid (sale_price bad): ${s.invalidated}`)
  log(`  new products: ${s.newProducts} (${s.newColliding} colliding with an existing natural key)`)
  log(`  history rows: ${s.todayRows} for ${s.day}, ${s.rescrapeRows} re-scrapes of past days,`)
  log(`    ${s.gapRows} inside former gaps`)
}
