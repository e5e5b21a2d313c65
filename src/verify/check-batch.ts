import type pg from "pg"
import type { KeyBatch } from "../extract/batches"
import { historyColumns, multimediaColumns, productColumns } from "../messages/columns"
import type { MapGroupOptions, MappingConfig, ProviderClaim, V3PlatformCountry } from "../mapping/types"
import { type Column, Differences } from "./differences"
import { expectGroups } from "./expect"
import { loadGroups } from "./legacy-groups"
import { emptyTally, type Tally } from "./tally"
import { childRows, productsById, type V3Row } from "./v3-rows"

export interface BatchContext {
  legacy: pg.Pool
  v3: pg.Pool
  mapping: MappingConfig
  options: MapGroupOptions
  /** Whether a group's histories are compared (the sample). */
  sampled: (key: string) => boolean
  limit: number
  /** Whether v3 saw more than one run: only then can a product rejected now hold an earlier version. */
  keptPossible: boolean
  /** "<table>|<product id>" -> the error the v3 database gave when it refused the product's rows (migration.refused). */
  refused: ReadonlyMap<string, string>
}

/** What one batch found, merged by the caller in key order. */
export interface BatchResult {
  diffs: Differences
  tally: Tally
  claims: ProviderClaim[]
  platformCountries: V3PlatformCountry[]
  /** v3 rows of products kept from an earlier run: their provider and platform-country are legitimately there. */
  kept: { ids: string[]; providers: string[]; platformCountries: string[] }
}

/**
 * Compares the child rows of one product by their key within it (position, date): a row the
 * contract does not produce is extra, one it produces and v3 lacks is missing, the rest field by field.
 */
function compareChildren<T extends { id: string }>(
  diffs: Differences, table: "multimedia" | "histories", key: "position" | "date", columns: readonly Column<T>[],
  expected: readonly T[], actual: readonly V3Row[], tally: Tally, refusal: string | undefined,
): void {
  const byKey = new Map(actual.map((r) => [String(r[key]), r]))
  tally.tables[table].expected += expected.length
  tally.tables[table].actual += actual.length
  for (const e of expected) {
    const k = String((e as unknown as Record<string, unknown>)[key])
    const a = byKey.get(k)
    if (!a) diffs.missing(table, e.id, refusal && `refused by the v3 database: ${refusal}`)
    else {
      tally.tables[table].compared += 1
      diffs.compare(table, e.id, columns, e, a)
      byKey.delete(k)
    }
  }
  for (const a of byKey.values()) diffs.extra(table, String(a["id"]), "the contract produces no such row for this product")
}

/** Checks one batch of whole groups: products and multimedia always, histories for sampled groups. */
export async function checkBatch(ctx: BatchContext, batch: KeyBatch): Promise<BatchResult> {
  const withHistories = batch.keys.filter(ctx.sampled)
  const groups = await loadGroups(ctx.legacy, batch, withHistories)
  const tally = emptyTally()
  const exp = expectGroups(groups, new Set(withHistories), ctx.mapping, ctx.options, tally)
  const migratedIds = exp.migrated.map((x) => x.m.product.id)
  const [products, multimedia, histories] = await Promise.all([
    productsById(ctx.v3, batch.uuids),
    childRows(ctx.v3, "multimedia", migratedIds),
    childRows(ctx.v3, "histories", exp.migrated.filter((x) => x.withHistories).map((x) => x.m.product.id)),
  ])
  const diffs = new Differences(ctx.limit)
  const result: BatchResult = { diffs, tally, claims: [], platformCountries: [], kept: { ids: [], providers: [], platformCountries: [] } }
  for (const { m, withHistories: compareHistories } of exp.migrated) {
    const id = m.product.id
    result.claims.push(m.provider)
    result.platformCountries.push(m.platformCountry)
    tally.tables.products.expected += 1
    const actual = products.get(id)
    // Without its product v3 cannot hold its child rows (foreign keys): one difference says it all.
    if (!actual) {
      const refusal = ctx.refused.get(`products|${id}`)
      diffs.missing("products", id, refusal ? `refused by the v3 database: ${refusal}` : "a migrated legacy product is not in v3")
      continue
    }
    tally.tables.products.actual += 1
    tally.tables.products.compared += 1
    diffs.compare("products", id, productColumns, m.product, actual)
    compareChildren(diffs, "multimedia", "position", multimediaColumns, m.multimedia, multimedia.get(id) ?? [], tally, ctx.refused.get(`multimedia|${id}`))
    if (compareHistories) compareChildren(diffs, "histories", "date", historyColumns, m.histories, histories.get(id) ?? [], tally, ctx.refused.get(`histories|${id}`))
  }
  for (const [id, row] of products) {
    if (exp.excluded.has(id)) {
      tally.tables.products.actual += 1
      diffs.extra("products", id, "its legacy platform is excluded (EXCLUDED_PLATFORMS): must not be migrated")
    } else if (exp.rejected.has(id) && !ctx.keptPossible) {
      tally.tables.products.actual += 1
      diffs.extra("products", id, `rejected (${exp.rejected.get(id)}) and no earlier run into this database could have migrated it`)
    } else if (exp.rejected.has(id)) {
      // MAPPING.md, Accounting and runs: migrated earlier, rejected now, keeps its earlier version.
      tally.tables.products.actual += 1
      tally.products.keptEarlierVersion += 1
      result.kept.ids.push(id)
      result.kept.providers.push(String(row["provider_id"]))
      result.kept.platformCountries.push(String(row["platform_country_id"]))
    }
  }
  return result
}
