import type { GroupResult, LegacyGroup, MigratedProduct, V3PlatformCountry, V3Provider } from "../mapping/types"
import type { GroupEntry } from "../messages/child-rows"
import type { DeadLetter } from "../messages/dead-letter"
import type { RunTag } from "../messages/fields"
import { historiesMessage } from "../messages/histories"
import { multimediaMessage } from "../messages/multimedia"
import { encodeProducts, type ProductsPayload } from "../messages/products"

export type Letter = Omit<DeadLetter, "run" | "stage" | "kind">

export interface MappedGroup {
  group: LegacyGroup
  result?: GroupResult
  /** Set when the mapping threw on this group's rows: the group is dead-lettered whole. */
  error?: string
}

export interface TransformOutput {
  products: Record<string, string>
  histories: Record<string, string>[]
  multimedia: Record<string, string>
  letters: Letter[]
  counts: Record<string, number>
}

function add(counts: Record<string, number>, key: string, n = 1): void {
  if (n !== 0) counts[key] = (counts[key] ?? 0) + n
}

/**
 * Turns a batch's mapped groups into the entries for each load stream, the dead letters
 * (rows rejected or dropped, with their reason) and the outcome counts. Histories are cut into
 * entries of about `historyBatchRows` rows, never splitting a group.
 */
export function buildOutputs(
  mapped: MappedGroup[],
  sigs: { products: Record<string, string>; histories: Record<string, string> },
  tag: RunTag,
  historyBatchRows: number,
): TransformOutput {
  const counts: Record<string, number> = {}
  const letters: Letter[] = []
  const payload: ProductsPayload = { keys: [], platformCountries: [], providers: [], claims: [], products: [], notMigrated: [] }
  const pcs = new Map<string, V3PlatformCountry>()
  const providers = new Map<string, V3Provider>()
  const migrated: MigratedProduct[] = []
  const historyGroups: { key: string; products: MigratedProduct[] }[] = []
  const dropped = new Map<string, { entity: string; reason: string; keys: Set<string>; rows: unknown[] }>()
  const drop = (entity: string, reason: string, key: string, row: unknown) => {
    const id = `${entity}|${reason}`
    let d = dropped.get(id)
    if (!d) dropped.set(id, (d = { entity, reason, keys: new Set(), rows: [] }))
    d.keys.add(key)
    d.rows.push(row)
  }

  for (const { group, result, error } of mapped) {
    if (!result) {
      add(counts, "groups.mapping_error")
      letters.push({ entity: "group", reason: "mapping_error", count: group.products.length + group.histories.length,
        payload: JSON.stringify({ keys: [group.key], rows: [group] }), error: error ?? "unknown" })
      continue
    }
    payload.keys.push([group.key, sigs.products[group.key] ?? null])
    add(counts, "products.migrated", result.migrated.length)
    add(counts, "products.excluded", result.excluded.length)
    add(counts, "histories.kept", result.historyCounts.kept)
    add(counts, "histories.filled", result.historyCounts.filled)
    for (const r of result.rejected) {
      add(counts, `products.rejected.${r.reason}`)
      drop("product", r.reason, group.key, r.legacy)
      payload.notMigrated.push(r.legacy.uuid)
    }
    for (const d of result.droppedHistories) {
      add(counts, `histories.dropped.${d.reason}`)
      // Excluded rows are not errors (MAPPING.md Products rule 1): counted, not dead-lettered.
      if (d.reason !== "excluded") drop("history", d.reason, group.key, d.row)
    }
    for (const m of result.migrated) {
      migrated.push(m)
      pcs.set(m.platformCountry.id, m.platformCountry)
      if (!providers.has(m.provider.provider.id)) providers.set(m.provider.provider.id, m.provider.provider)
      payload.claims.push([m.product.id, m.provider.provider.id, m.provider.claimKey, m.provider.provider.name, m.provider.provider.verified])
      payload.products.push(m.product)
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
    historyGroups.push({ key: group.key, products: result.migrated })
  }
  payload.platformCountries = [...pcs.values()]
  payload.providers = [...providers.values()]
  for (const d of dropped.values()) {
    letters.push({ entity: d.entity, reason: d.reason, count: d.rows.length, payload: JSON.stringify({ keys: [...d.keys], rows: d.rows }) })
  }

  const multimediaKeys: GroupEntry[] = historyGroups.map((g) => [g.key, sigs.products[g.key] ?? null, g.products.map((p) => p.product.id)])
  return {
    products: encodeProducts({ ...tag, ...payload }),
    histories: historyChunks(historyGroups, sigs.histories, tag, historyBatchRows),
    multimedia: multimediaMessage.fromRows(tag, multimediaKeys, migrated.map((m) => m.product.id), migrated.flatMap((m) => m.multimedia)),
    letters,
    counts,
  }
}

function historyChunks(
  groups: { key: string; products: MigratedProduct[] }[],
  sigs: Record<string, string>,
  tag: RunTag,
  maxRows: number,
): Record<string, string>[] {
  const chunks: Record<string, string>[] = []
  let keys: GroupEntry[] = []
  let products: MigratedProduct[] = []
  let rows = 0
  const flush = () => {
    chunks.push(historiesMessage.fromRows(tag, keys, products.map((p) => p.product.id), products.flatMap((p) => p.histories)))
    keys = []
    products = []
    rows = 0
  }
  for (const g of groups) {
    const n = g.products.reduce((s, p) => s + p.histories.length, 0)
    if (rows > 0 && rows + n > maxRows) flush()
    keys.push([g.key, sigs[g.key] ?? null, g.products.map((p) => p.product.id)])
    products.push(...g.products)
    rows += n
  }
  if (keys.length > 0 || chunks.length === 0) flush()
  return chunks
}
