import { intOption, parseArgs } from "../cli/args"
import { UsageError } from "../runtime/errors"
import type { SampleOption } from "./sample"

export interface VerifyArgs {
  sample: SampleOption
  limit: number
  json: boolean
}

/** `--full`, `--sample N` (groups) or `--sample N%`, `--limit N`, `--json`. */
export function parseVerifyArgs(args: readonly string[]): VerifyArgs {
  const p = parseArgs(args, { command: "npm run verify --", flags: ["--full", "--json"], values: ["--sample", "--limit"] })
  const raw = p.values.get("--sample")
  if (p.flags.has("--full") && raw !== undefined) throw new UsageError("--full checks every group; drop --sample, or drop --full")
  let sample: SampleOption = p.flags.has("--full") ? { kind: "full" } : { kind: "default" }
  if (raw !== undefined) {
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(raw)
    if (percent && Number(percent[1]) > 0 && Number(percent[1]) <= 100) sample = { kind: "percent", p: Number(percent[1]) }
    else if (/^\d+$/.test(raw) && Number(raw) > 0) sample = { kind: "groups", n: Number(raw) }
    else throw new UsageError(`--sample '${raw}' must be a number of groups (e.g. 500) or a percentage (e.g. 5%)`)
  }
  return { sample, limit: intOption(p, "--limit", 20, 1, 100_000), json: p.flags.has("--json") }
}
