import { mapGroup } from "../mapping/group"
import type { LegacyGroup, MapGroupOptions, MappingConfig, MigratedProduct } from "../mapping/types"
import { bump, type Tally } from "./tally"

/** What the contract makes of a batch's legacy products: src/mapping's mapGroup per group, nothing re-implemented. */
export interface Expected {
  migrated: { m: MigratedProduct; withHistories: boolean }[]
  /** Legacy uuid -> reason, for products that must not be in v3 unless an earlier run migrated them. */
  rejected: Map<string, string>
  excluded: Set<string>
}

/**
 * Maps every group of a batch and counts each legacy product's outcome (and, for groups whose
 * history rows were read, each history row's). A group on which the mapping throws is what
 * transform dead-letters whole (`mapping_error`): its products count as rejected.
 */
export function expectGroups(
  groups: readonly LegacyGroup[],
  withHistories: ReadonlySet<string>,
  cfg: MappingConfig,
  options: MapGroupOptions,
  tally: Tally,
): Expected {
  const out: Expected = { migrated: [], rejected: new Map(), excluded: new Set() }
  for (const group of groups) {
    tally.groups += 1
    tally.products.legacy += group.products.length
    const histories = withHistories.has(group.key)
    let result
    try {
      result = mapGroup(group, cfg, options)
    } catch {
      for (const p of group.products) out.rejected.set(p.uuid, "mapping_error")
      bump(tally.products.rejected, "mapping_error", group.products.length)
      continue
    }
    tally.products.migrated += result.migrated.length
    tally.products.excluded += result.excluded.length
    for (const p of result.excluded) out.excluded.add(p.uuid)
    for (const r of result.rejected) {
      out.rejected.set(r.legacy.uuid, r.reason)
      bump(tally.products.rejected, r.reason)
    }
    if (histories) {
      tally.histories.groups += 1
      tally.histories.legacyRows += group.histories.length
      tally.histories.kept += result.historyCounts.kept
      tally.histories.filled += result.historyCounts.filled
      for (const d of result.droppedHistories) bump(tally.histories.dropped, d.reason)
    }
    for (const m of result.migrated) {
      out.migrated.push({ m, withHistories: histories })
      tally.multimedia.migrated += m.multimedia.length
      if (m.gallery.invalid) tally.multimedia.invalidGalleries += 1
      for (const d of m.gallery.dropped) bump(tally.multimedia.dropped, d.reason)
    }
  }
  return out
}
