import type pg from "pg"
import { providerRows } from "../mapping/provider"
import type { ProviderClaim, V3PlatformCountry, V3Provider } from "../mapping/types"
import { cursorChunks } from "../db/cursor"
import type { Column, Differences } from "./differences"
import type { Tally } from "./tally"
import { v3PlatformCountries, v3ProductIds, v3Providers, type V3Row } from "./v3-rows"

const CHUNK = 5_000
const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** What the walk over the groups gathered for the whole-catalog checks. */
export interface CatalogFacts {
  /** Provider id -> winning claim over every migrated product (src/mapping addClaims). */
  claims: Map<string, ProviderClaim>
  platformCountries: Map<string, V3PlatformCountry>
  keptProviders: Set<string>
  keptPlatformCountries: Set<string>
  /** TEST_MODE: the only legacy products v3 may hold. */
  testUuids: ReadonlySet<string> | null
}

/**
 * Every v3 product must have its legacy source: its id a legacy uuid (within the TEST_MODE
 * selection when there is one). Products that are legacy uuids were compared by the group walk.
 */
export async function checkProductSources(v3: pg.Pool, legacy: pg.Pool, facts: CatalogFacts, diffs: Differences, tally: Tally): Promise<void> {
  for await (const rows of cursorChunks<{ id: string }>(v3, v3ProductIds, [], CHUNK)) {
    const ids = rows.map((r) => r.id)
    let known: Set<string>
    if (facts.testUuids) known = new Set(ids.filter((id) => facts.testUuids!.has(id)))
    else {
      const candidates = ids.filter((id) => uuidShape.test(id))
      const found = await legacy.query<{ id: string }>("SELECT uuid::text AS id FROM product WHERE uuid = ANY($1::uuid[])", [candidates])
      known = new Set(found.rows.map((r) => r.id))
    }
    for (const id of ids) {
      if (known.has(id)) continue
      tally.tables.products.actual += 1
      diffs.extra("products", id, facts.testUuids ? "not among the TEST_MODE products" : "no legacy product has this id as its uuid")
    }
  }
}

const providerColumns: Column<V3Provider>[] = (["id", "platform_country_id", "external_id", "name", "verified"] as const).map((name) => ({
  name,
  get: (r: V3Provider) => r[name],
}))
const providerKeyColumns = providerColumns.filter((c) => c.name !== "name" && c.name !== "verified")

/**
 * Providers: one per (platform-country, external id) some migrated product names, with the name
 * and verified flag of the latest claim (src/mapping resolveProviders, folded over the whole
 * walk). A provider also named by a product kept from an earlier run may carry that version's
 * name: only its key columns are compared.
 */
export async function checkProviders(v3: pg.Pool, facts: CatalogFacts, diffs: Differences, tally: Tally): Promise<void> {
  const expected = new Map(providerRows(facts.claims).map((p) => [p.id, p]))
  tally.tables.providers.expected = expected.size
  for await (const rows of cursorChunks<V3Row>(v3, v3Providers, [], CHUNK)) {
    for (const row of rows) {
      const id = String(row["id"])
      tally.tables.providers.actual += 1
      const e = expected.get(id)
      const kept = facts.keptProviders.has(id)
      if (!e) {
        if (!kept) diffs.extra("providers", id, "no migrated product names this provider")
        continue
      }
      expected.delete(id)
      tally.tables.providers.compared += 1
      diffs.compare("providers", id, kept ? providerKeyColumns : providerColumns, e, row)
    }
  }
  for (const id of expected.keys()) diffs.missing("providers", id)
}

const pcColumns: Column<V3PlatformCountry>[] = (["id", "platform_id", "country_id"] as const).map((name) => ({ name, get: (r) => r[name] }))

/** Platform-countries: exactly those of the migrated products (and of products kept from an earlier run). */
export async function checkPlatformCountries(v3: pg.Pool, facts: CatalogFacts, diffs: Differences, tally: Tally): Promise<void> {
  const expected = new Map(facts.platformCountries)
  tally.tables.platform_countries.expected = expected.size
  const { rows } = await v3.query<V3Row>(v3PlatformCountries)
  for (const row of rows) {
    const id = String(row["id"])
    tally.tables.platform_countries.actual += 1
    const e = expected.get(id)
    if (!e) {
      if (!facts.keptPlatformCountries.has(id)) diffs.extra("platform_countries", id, "no migrated product is on this platform and country")
      continue
    }
    expected.delete(id)
    tally.tables.platform_countries.compared += 1
    diffs.compare("platform_countries", id, pcColumns, e, row)
  }
  for (const id of expected.keys()) diffs.missing("platform_countries", id)
}
