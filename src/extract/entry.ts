import type { GroupBatch } from "./fetch"

/**
 * The fields of an extract stream entry, as transform decodes them (src/transform/decode.ts).
 * Shared by extract and by `dlq retry`, which re-extracts rejected groups into the same stream.
 */
export function extractEntryFields(run: { id: string; testMode: boolean }, unit: string, b: GroupBatch): Record<string, string> {
  return {
    run: run.id,
    unit,
    keys: JSON.stringify(b.keys),
    product_sigs: b.productSigs,
    history_sigs: b.historySigs,
    products: b.productsJson,
    histories: b.historiesJson,
    ...(run.testMode ? { test: "1" } : {}),
  }
}
