import type { LegacyGroup, LegacyHistory, LegacyNumber, LegacyProduct } from "../mapping/types"

/** The column order extract's fetchHistories builds each history row in. */
export function decodeHistoryRow(r: unknown[]): LegacyHistory {
  return {
    uuid: String(r[0]),
    external_product_id: String(r[1]),
    country: String(r[2]),
    platform: String(r[3]),
    date: String(r[4]),
    stock: r[5] as LegacyNumber,
    sale_price: r[6] as LegacyNumber,
    sales_amount: r[7] as LegacyNumber,
    sold_units: r[8] as LegacyNumber,
    stock_adjustment: r[9] as boolean | null,
    stock_adjustment_reason: r[10] as string | null,
  }
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
  const histories = parseJson("histories", fields["histories"]) as unknown[][]
  if (!Array.isArray(keys) || !Array.isArray(products) || !Array.isArray(histories)) {
    throw new MalformedEntryError("extract entry keys/products/histories are not arrays")
  }
  const groups = new Map<string, LegacyGroup>(keys.map((k) => [k, { key: k, products: [], histories: [] }]))
  for (const p of products) groups.get(p.external_id)?.products.push(p)
  for (const raw of histories) {
    const h = decodeHistoryRow(raw)
    groups.get(h.external_product_id)?.histories.push(h)
  }
  return {
    run: fields["run"] ?? "",
    testMode: fields["test"] === "1",
    groups: [...groups.values()],
    productSigs: parseJson("product_sigs", fields["product_sigs"]) as Record<string, string>,
    historySigs: parseJson("history_sigs", fields["history_sigs"]) as Record<string, string>,
  }
}
