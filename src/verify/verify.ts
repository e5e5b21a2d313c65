import type pg from "pg"
import { testModeSelection } from "../extract/test-mode"
import { addClaims } from "../mapping/provider"
import type { MappingConfig } from "../mapping/types"
import { type CatalogFacts, checkPlatformCountries, checkProductSources, checkProviders } from "./catalog"
import { type BatchContext, type BatchResult, checkBatch } from "./check-batch"
import { Differences } from "./differences"
import { countGroups, legacyBatches } from "./legacy-groups"
import { type SampleOption, sampler } from "./sample"
import { emptyTally, mergeTally, type Tally } from "./tally"

/** What the loaders recorded as refused by the v3 database (src/load/refused.ts), to name in differences. */
async function refusedRows(v3: pg.Pool): Promise<Map<string, string>> {
  const { rows } = await v3.query<{ k: string; error: string }>("SELECT table_name || '|' || product_id AS k, error FROM migration.refused")
  return new Map(rows.map((r) => [r.k, r.error]))
}

export interface VerifyOptions {
  sample: SampleOption
  limit: number
}

export interface VerifyDeps {
  legacy: pg.Pool
  v3: pg.Pool
  mapping: MappingConfig
  testMode: boolean
  signal: AbortSignal
}

export interface VerifyReport {
  testMode: boolean
  sample: { rate: number; groups: number }
  tally: Tally
  diffs: Differences
  keptIds: string[]
  elapsedMs: number
}

/** Legacy products per batch, and batches checked at once (each holds a few queries in flight). */
const BATCH_PRODUCTS = 500
const CONCURRENCY = 3
const KEPT_IDS_SHOWN = 20

/**
 * A product rejected now keeps a version an earlier run migrated (MAPPING.md, Accounting and
 * runs); with a single run ever recorded in v3 (migration.runs) there is no earlier run.
 */
async function severalRuns(v3: pg.Pool): Promise<boolean> {
  const { rows } = await v3.query<{ t: string | null }>("SELECT to_regclass('migration.runs')::text AS t")
  if (!rows[0]?.t) return true
  const runs = await v3.query<{ n: number }>("SELECT count(*)::int AS n FROM migration.runs")
  return runs.rows[0]!.n > 1
}

/**
 * Reconciles v3 with the legacy database. Walks the legacy groups in key order a batch at a
 * time (bounded memory, a few batches in flight), recomputes every batch's v3 rows through
 * src/mapping and compares them with v3; then checks what only the whole catalog settles:
 * every v3 product has a legacy source, providers (resolved over all claims), platform-countries.
 */
export async function runVerify(d: VerifyDeps, o: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now()
  const selection = d.testMode ? await testModeSelection(d.legacy, d.mapping) : undefined
  const sample = sampler(d.testMode ? { kind: "full" } : o.sample, await countGroups(d.legacy, selection))
  const ctx: BatchContext = {
    legacy: d.legacy, v3: d.v3, mapping: d.mapping, limit: o.limit, sampled: sample.includes, keptPossible: await severalRuns(d.v3),
    refused: await refusedRows(d.v3),
    // As transform maps a TEST_MODE entry: history rows of products outside the selection are not its to account for.
    options: d.testMode ? { unmatchedHistories: "ignore" } : {},
  }
  const diffs = new Differences(o.limit)
  const tally = emptyTally()
  const facts: CatalogFacts = {
    claims: new Map(), platformCountries: new Map(), keptProviders: new Set(), keptPlatformCountries: new Set(),
    testUuids: d.testMode ? new Set(selection?.uuids ?? []) : null,
  }
  const keptIds: string[] = []
  const absorb = (r: BatchResult) => {
    diffs.merge(r.diffs)
    mergeTally(tally, r.tally)
    addClaims(facts.claims, r.claims)
    for (const pc of r.platformCountries) facts.platformCountries.set(pc.id, pc)
    r.kept.providers.forEach((id) => facts.keptProviders.add(id))
    r.kept.platformCountries.forEach((id) => facts.keptPlatformCountries.add(id))
    for (const id of r.kept.ids) if (keptIds.length < KEPT_IDS_SHOWN) keptIds.push(id)
  }
  const inFlight: Promise<BatchResult>[] = []
  for await (const batch of legacyBatches(d.legacy, selection, BATCH_PRODUCTS)) {
    if (d.signal.aborted) break
    const running = checkBatch(ctx, batch)
    running.catch(() => undefined)
    inFlight.push(running)
    if (inFlight.length >= CONCURRENCY) absorb(await inFlight.shift()!)
  }
  while (inFlight.length > 0) absorb(await inFlight.shift()!)
  if (d.signal.aborted) throw new Error("verify interrupted")
  await checkProductSources(d.v3, d.legacy, facts, diffs, tally)
  await checkProviders(d.v3, facts, diffs, tally)
  await checkPlatformCountries(d.v3, facts, diffs, tally)
  return {
    testMode: d.testMode,
    sample: { rate: sample.rate, groups: tally.histories.groups },
    tally,
    diffs,
    keptIds,
    elapsedMs: Date.now() - started,
  }
}
