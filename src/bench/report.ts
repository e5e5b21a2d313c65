import type { Measured } from "./measure"

/** A benchmark figure against its target: it passes when value ≤ target. */
export interface Check {
  what: string
  value: number
  target: number
  detail?: string
}

const figure = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2))

/** The bench's closing table: every figure against its target, then where each full run's CPU went. */
export function report(checks: readonly Check[], fulls: Readonly<Record<string, Measured>>): string {
  const width = Math.max(...checks.map((c) => c.what.length))
  const lines = ["", "figure".padEnd(width) + "   value   target"]
  for (const c of checks) {
    const ok = c.value <= c.target ? "ok  " : "MISS"
    lines.push(`${c.what.padEnd(width)}  ${figure(c.value).padStart(6)}  ≤ ${figure(c.target).padEnd(6)} ${ok}${c.detail ? `  ${c.detail}` : ""}`)
  }
  for (const [name, m] of Object.entries(fulls)) {
    const cpu = Object.entries(m.cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")
    lines.push("", `cpu seconds, ${name} full run: ${cpu}`)
  }
  return lines.join("\n")
}
