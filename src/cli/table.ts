/** Plain-text tables for the operator commands: columns padded to their widest cell. */
export type Align = "left" | "right"

export function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (align[i] === "right" ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(headers), ...rows.map(line)]
}

export const fmt = (n: number): string => Math.round(n).toLocaleString("en-US")

/** A value shown in one cell: JSON for anything but plain strings, cut to `max` characters. */
export function preview(value: unknown, max = 60): string {
  const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value)
  const oneLine = text.replace(/\s+/g, " ")
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}
