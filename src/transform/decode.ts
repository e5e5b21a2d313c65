import type { LegacyGroup, LegacyHistory, LegacyNumber, LegacyProduct } from "../mapping/types"

/** A history row as extract's fetchHistories builds it, under its key (external_product_id). */
export function decodeHistoryRow(key: string, r: unknown[]): LegacyHistory {
  return {
    uuid: String(r[0]),
    external_product_id: key,
    country: String(r[1]),
    platform: String(r[2]),
    date: String(r[3]),
    stock: r[4] as LegacyNumber,
    sale_price: r[5] as LegacyNumber,
    sales_amount: r[6] as LegacyNumber,
    sold_units: r[7] as LegacyNumber,
    stock_adjustment: r[8] as boolean | null,
    stock_adjustment_reason: r[9] as string | null,
  }
}

/** The groups of `keys`, each with its products and its history rows (extract's fetch shapes). */
export function assembleGroups(keys: readonly string[], products: LegacyProduct[], histories: Record<string, unknown[][]>): LegacyGroup[] {
  const groups = new Map<string, LegacyGroup>(keys.map((k) => [k, { key: k, products: [], histories: [] }]))
  for (const p of products) groups.get(p.external_id)?.products.push(p)
  for (const [key, rows] of Object.entries(histories)) {
    const group = groups.get(key)
    if (group) for (const raw of rows) group.histories.push(decodeHistoryRow(key, raw))
  }
  return [...groups.values()]
}

export class MalformedEntryError extends Error {}

function parseJson(field: string, text: string | undefined): unknown {
  if (text === undefined) throw new MalformedEntryError(`extract entry has no '${field}' field`)
  try {
    return JSON.parse(text)
  } catch {
    throw new MalformedEntryError(`extract entry field '${field}' is not valid JSON`)
  }
}

export interface DecodedBatch {
  run: string
  testMode: boolean
  groups: LegacyGroup[]
  productSigs: Record<string, string>
  historySigs: Record<string, string>
}

/** Rebuilds the groups of an extract entry: its keys, with the products and history rows of each. */
export function decodeExtractEntry(fields: Record<string, string>): DecodedBatch {
  const keys = parseJson("keys", fields["keys"]) as string[]
  const products = parseJson("products", fields["products"]) as LegacyProduct[]
  const histories = parseJson("histories", fields["histories"]) as Record<string, unknown[][]>
  if (!Array.isArray(keys) || !Array.isArray(products) || typeof histories !== "object" || histories === null) {
    throw new MalformedEntryError("extract entry keys/products/histories have the wrong shape")
  }
  return {
    run: fields["run"] ?? "",
    testMode: fields["test"] === "1",
    groups: assembleGroups(keys, products, histories),
    productSigs: parseJson("product_sigs", fields["product_sigs"]) as Record<string, string>,
    historySigs: parseJson("history_sigs", fields["history_sigs"]) as Record<string, string>,
  }
}
