/** MAPPING.md "Normalizing text": trim, collapse inner runs of whitespace to one space. */
export function normalizeText(text: string): string {
  return text.trim().replace(/\s+/g, " ")
}

/** Trims a nullable text; empty after trimming → null (MAPPING.md description, stock_adjustment_reason). */
export function trimToNull(text: string | null | undefined): string | null {
  if (typeof text !== "string") return null
  const trimmed = text.trim()
  return trimmed === "" ? null : trimmed
}

/** Code-unit comparison, never locale-aware: for ASCII keys it is the byte order of COLLATE "C". */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
