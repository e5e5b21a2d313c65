import { type TargetTable, targetTables } from "../pipeline/stages"

/**
 * What verify counted: legacy outcomes by reason (recomputed through src/mapping) and, per v3
 * table, rows expected, rows found and rows compared field by field.
 */
export interface TableTally {
  /** Rows the contract produces (for histories: in the sampled groups). */
  expected: number
  /** Rows v3 holds where verify looked. */
  actual: number
  /** Rows present on both sides and compared column by column. */
  compared: number
}

export interface Tally {
  products: {
    legacy: number
    migrated: number
    excluded: number
    rejected: Record<string, number>
    /** Rejected now, migrated by an earlier run: v3 keeps that version (MAPPING.md, Accounting and runs). */
    keptEarlierVersion: number
  }
  histories: { groups: number; legacyRows: number; kept: number; filled: number; dropped: Record<string, number> }
  multimedia: { migrated: number; dropped: Record<string, number>; invalidGalleries: number }
  groups: number
  tables: Record<TargetTable, TableTally>
}

const table = (): TableTally => ({ expected: 0, actual: 0, compared: 0 })

export function emptyTally(): Tally {
  return {
    products: { legacy: 0, migrated: 0, excluded: 0, rejected: {}, keptEarlierVersion: 0 },
    histories: { groups: 0, legacyRows: 0, kept: 0, filled: 0, dropped: {} },
    multimedia: { migrated: 0, dropped: {}, invalidGalleries: 0 },
    groups: 0,
    tables: Object.fromEntries(targetTables.map((t) => [t, table()])) as Record<TargetTable, TableTally>,
  }
}

export function bump(counts: Record<string, number>, key: string, n = 1): void {
  if (n !== 0) counts[key] = (counts[key] ?? 0) + n
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) bump(into, k, v)
}

/** Adds `b` into `a`. */
export function mergeTally(a: Tally, b: Tally): void {
  a.groups += b.groups
  a.products.legacy += b.products.legacy
  a.products.migrated += b.products.migrated
  a.products.excluded += b.products.excluded
  a.products.keptEarlierVersion += b.products.keptEarlierVersion
  addCounts(a.products.rejected, b.products.rejected)
  a.histories.groups += b.histories.groups
  a.histories.legacyRows += b.histories.legacyRows
  a.histories.kept += b.histories.kept
  a.histories.filled += b.histories.filled
  addCounts(a.histories.dropped, b.histories.dropped)
  a.multimedia.migrated += b.multimedia.migrated
  a.multimedia.invalidGalleries += b.multimedia.invalidGalleries
  addCounts(a.multimedia.dropped, b.multimedia.dropped)
  for (const [name, t] of Object.entries(b.tables) as [keyof Tally["tables"], TableTally][]) {
    a.tables[name].expected += t.expected
    a.tables[name].actual += t.actual
    a.tables[name].compared += t.compared
  }
}
