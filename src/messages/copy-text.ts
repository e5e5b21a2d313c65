/**
 * Rows in COPY's text format (postgresql.org/docs/15/sql-copy.html, "Text Format"): one line per
 * row, columns separated by a tab, NULL as `\N`, and backslash, newline, carriage return and tab
 * inside a value escaped with a backslash. Transform writes child rows this way once, and a
 * loader streams them into `COPY … FROM STDIN`, which parses each value with the column type's
 * own input function: no array literal to build, parse and unnest.
 */
export type Scalar = string | number | boolean | null

const specials = /[\\\n\r\t]/
const specialsAll = /[\\\n\r\t]/g
const escapes: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" }

export function copyField(v: Scalar): string {
  if (v === null) return "\\N"
  if (typeof v === "boolean") return v ? "t" : "f"
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot load a non-finite number (${v})`)
    return String(v)
  }
  // Most values (ids, dates, URLs) hold none of these: skip the rewrite for them.
  return specials.test(v) ? v.replace(specialsAll, (c) => escapes[c]!) : v
}

/**
 * The lines of `count` rows, `width` columns each, value `at(row, column)`, each line ending in a
 * newline. A column's value equal to the row before's (a product's price or stock over days)
 * reuses that text: number-to-text is most of the cost. Each line is joined from its columns'
 * texts, and the lines once at the end. Never `out += piece`: JavaScriptCore allocates a rope cell
 * per piece, garbage its collector then marks and sweeps (transform over the 100k bench's 206
 * entries: 35.0–42.5 CPU-s with `+=`, 26.9–30.2 with one join). Nor one array of every column's
 * text and separator: pushing 30 pieces a row onto an array of half a million took a third of
 * transform's CPU. With one join per line, transform's decode, mapping and encoding of 12 entries
 * of the 100k bench took 841–959 CPU-ms against 1105–1356 (same output, 4 runs alternated).
 */
export function copyLines(count: number, width: number, at: (row: number, column: number) => Scalar): string {
  const previous = new Array<Scalar | undefined>(width)
  const texts = new Array<string>(width).fill("")
  const lines = new Array<string>(count)
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < width; c++) {
      const v = at(r, c)
      if (r === 0 || v !== previous[c]) {
        texts[c] = copyField(v)
        previous[c] = v
      }
    }
    lines[r] = texts.join("\t")
  }
  return count > 0 ? `${lines.join("\n")}\n` : ""
}

/** How many times `char` (one character) occurs in `text`. */
export function countOf(text: string, char: string): number {
  let n = 0
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++
  return n
}

/** What a backslash followed by each character means in COPY's text format; any other character stands for itself. */
const unescapes: Record<string, string> = { "\\": "\\", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" }
const escaped = /\\(.)/gs

/**
 * A value as COPY TO writes it in the text format, read back: `\N` is NULL, every other
 * backslash sequence COPY TO emits is undone (it never writes octal or hex ones).
 */
export function copyValue(field: string): string | null {
  if (field === "\\N") return null
  return field.includes("\\") ? field.replace(escaped, (_, c: string) => unescapes[c] ?? c) : field
}
