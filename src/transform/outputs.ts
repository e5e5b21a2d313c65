import { tailBounds } from "../mapping/tails"
import type { GroupResult, HistorySeed, LegacyGroup, MapGroupOptions, MigratedProduct, V3History, V3PlatformCountry, V3Provider } from "../mapping/types"
import type { DeadLetter } from "../messages/dead-letter"
import type { RunTag } from "../messages/fields"
import { historiesMessage } from "../messages/histories"
import { multimediaMessage } from "../messages/multimedia"
import { encodeProducts, type ProductGroup, type ProductsPayload } from "../messages/products"
import { type ChildGroup, childEntries } from "./chunks"

export type Letter = Omit<DeadLetter, "run" | "stage" | "kind">

export interface MappedGroup {
  group: LegacyGroup
  result?: GroupResult
  /** Set for a group mapped from its first changed date (MapGroupOptions.tail). */
  tail?: MapGroupOptions["tail"]
  /** A tail whose added rows repeat the rows already on their dates (ExtractBatch.inert): accounted for, nothing written. */
  inert?: boolean
  /** Set when the mapping threw on this group's rows: the group is dead-lettered whole. */
  error?: string
}

export interface TransformOutput {
  products: Record<string, string>
  histories: Record<string, string>[]
  multimedia: Record<string, string>[]
  letters: Letter[]
  counts: Record<string, number>
}

/** Bounds no v3 history date lies outside of. */
const KEEP_ALL: [string, string] = ["0001-01-01", "9999-12-31"]

function add(counts: Record<string, number>, key: string, n = 1): void {
  if (n !== 0) counts[key] = (counts[key] ?? 0) + n
}

/**
 * Turns a batch's mapped groups into the entries for each load stream, the dead letters
 * (rows rejected or dropped, with their reason) and the outcome counts. Histories and
 * multimedia are cut into entries of at most `historyBatchRows` rows (src/transform/chunks.ts).
 * A tail group (it only gained history rows since its last load, products unchanged) was mapped
 * from its first changed date, seeded from v3: it sends those rows, with each product's full
 * bounds, and no multimedia; an inert tail sends none (MappedGroup.inert).
 */
export function buildOutputs(
  mapped: MappedGroup[],
  sigs: { products: Record<string, string>; histories: Record<string, string> },
  tag: RunTag,
  historyBatchRows: number,
): TransformOutput {
  const counts: Record<string, number> = {}
  const letters: Letter[] = []
  const payload: ProductsPayload = { groups: [], platformCountries: [], providers: [] }
  const pcs = new Map<string, V3PlatformCountry>()
  const providers = new Map<string, V3Provider>()
  const mappedGroups: { key: string; products: MigratedProduct[]; seeds?: Readonly<Record<string, HistorySeed>>; inert?: boolean }[] = []
  const dropped = new Map<string, { entity: string; reason: string; keys: Set<string>; rows: unknown[] }>()
  const drop = (entity: string, reason: string, key: string, row: unknown) => {
    const id = `${entity}|${reason}`
    let d = dropped.get(id)
    if (!d) dropped.set(id, (d = { entity, reason, keys: new Set(), rows: [] }))
    d.keys.add(key)
    d.rows.push(row)
  }

  for (const { group, result, tail, inert, error } of mapped) {
    if (!result) {
      add(counts, "groups.mapping_error")
      letters.push({ entity: "group", reason: "mapping_error", count: group.products.length + group.histories.length,
        payload: JSON.stringify({ keys: [group.key], rows: [group] }), error: error ?? "unknown" })
      continue
    }
    const products: ProductGroup = { key: group.key, sig: sigs.products[group.key] ?? null, products: [], claims: [], notMigrated: [] }
    payload.groups.push(products)
    add(counts, "products.migrated", result.migrated.length)
    add(counts, "products.excluded", result.excluded.length)
    const unchanged = tail !== undefined && inert === true
    add(counts, "histories.kept", result.historyCounts.kept)
    // An inert tail's rows are its re-scraped dates alone: what lies between them is in v3 already.
    if (!unchanged) add(counts, "histories.filled", result.historyCounts.filled)
    for (const r of result.rejected) {
      add(counts, `products.rejected.${r.reason}`)
      drop("product", r.reason, group.key, r.legacy)
      products.notMigrated.push(r.legacy.uuid)
    }
    for (const d of result.droppedHistories) {
      add(counts, `histories.dropped.${d.reason}`)
      // Excluded rows are not errors (MAPPING.md Products rule 1): counted, not dead-lettered.
      if (d.reason !== "excluded") drop("history", d.reason, group.key, d.row)
    }
    for (const m of result.migrated) {
      pcs.set(m.platformCountry.id, m.platformCountry)
      if (!providers.has(m.provider.provider.id)) providers.set(m.provider.provider.id, m.provider.provider)
      products.claims.push([m.product.id, m.provider.provider.id, m.provider.claimKey, m.provider.provider.name, m.provider.provider.verified])
      products.products.push(m.product)
      add(counts, "multimedia.migrated", m.multimedia.length)
      if (m.gallery.invalid) {
        add(counts, "gallery.invalid")
        drop("gallery", "invalid_gallery", group.key, { product: m.product.id, gallery: m.legacy.gallery })
      }
      for (const g of m.gallery.dropped) {
        add(counts, `multimedia.dropped.${g.reason}`)
        drop("gallery_item", g.reason, group.key, { product: m.product.id, index: g.index, item: g.item })
      }
    }
    if (tail === undefined) {
      mappedGroups.push({ key: group.key, products: result.migrated })
      continue
    }
    mappedGroups.push({ key: group.key, products: result.migrated, seeds: tail.seeds, ...(unchanged ? { inert } : {}) })
    add(counts, "groups.from_first_change")
    if (unchanged) {
      add(counts, "groups.rescrapes_only")
      add(counts, "histories.unchanged", result.historyCounts.kept)
    }
    add(counts, "histories.not_resent", result.migrated.reduce((n, m) => n + tailBounds(tail.seeds[m.product.id]!, m.histories).unchanged, 0))
    // Its products are as last loaded, and multimedia follows the product row alone: nothing to send.
    add(counts, "multimedia.not_resent", result.migrated.reduce((n, m) => n + m.multimedia.length, 0))
  }
  payload.platformCountries = [...pcs.values()]
  payload.providers = [...providers.values()]
  for (const d of dropped.values()) {
    letters.push({ entity: d.entity, reason: d.reason, count: d.rows.length, payload: JSON.stringify({ keys: [...d.keys], rows: d.rows }) })
  }

  const children = <T>(sig: (key: string) => string | null, rows: (m: MigratedProduct) => readonly T[], send: (g: (typeof mappedGroups)[number]) => boolean): ChildGroup<T>[] =>
    mappedGroups.filter(send).map((g) => ({ key: g.key, sig: sig(g.key), products: g.products.map((m) => ({ id: m.product.id, rows: rows(m) })) }))
  const histories = (m: MigratedProduct, seeds: (typeof mappedGroups)[number]["seeds"]): ChildGroup<V3History>["products"][number] =>
    seeds === undefined ? { id: m.product.id, rows: m.histories } : { id: m.product.id, rows: m.histories, bounds: tailBounds(seeds[m.product.id]!, m.histories).bounds }
  // An inert tail still goes to load-histories, which records its signature with this run, with
  // no rows and bounds that delete none.
  const historyGroups: ChildGroup<V3History>[] = mappedGroups.map((g) => ({
    key: g.key, sig: sigs.histories[g.key] ?? null,
    products: g.products.map((m) => (g.inert ? { id: m.product.id, rows: [], bounds: KEEP_ALL } : histories(m, g.seeds))),
  }))
  return {
    products: encodeProducts({ ...tag, ...payload }),
    histories: childEntries(historiesMessage, (h) => h.date, tag, historyGroups, historyBatchRows),
    // Multimedia follows the product row, whose signature it records.
    multimedia: childEntries(multimediaMessage, (x) => x.position, tag,
      children((k) => sigs.products[k] ?? null, (m) => m.multimedia, (g) => g.seeds === undefined), historyBatchRows),
    letters,
    counts,
  }
}
