import { UsageError } from "../runtime/errors"

/** What a command accepts: flags without a value, options with one, options taking several. */
export interface ArgSpec {
  command: string
  flags?: readonly string[]
  values?: readonly string[]
  /** Options whose value is optional (`--watch` or `--watch 5`). */
  optionalValues?: readonly string[]
  /** Options taking every following word that is not an option (`--id a b c`); may repeat. */
  lists?: readonly string[]
  /** How many positional words are allowed. */
  positional?: number
}

export interface ParsedArgs {
  flags: Set<string>
  values: Map<string, string>
  lists: Map<string, string[]>
  positional: string[]
}

const isOption = (word: string | undefined) => word !== undefined && word.startsWith("--")

/** Parses argv words by `spec`; anything else is a UsageError pointing at --help. */
export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { flags: new Set(), values: new Map(), lists: new Map(), positional: [] }
  const help = `see ${spec.command} --help`
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!
    const [name, inline] = word.includes("=") ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)] : [word, undefined]
    if (!isOption(name)) {
      if (out.positional.length >= (spec.positional ?? 0)) throw new UsageError(`unexpected argument '${word}': ${help}`)
      out.positional.push(word)
    } else if (spec.flags?.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value: ${help}`)
      out.flags.add(name)
    } else if (spec.values?.includes(name)) {
      const value = inline ?? args[++i]
      if (value === undefined || isOption(value)) throw new UsageError(`${name} needs a value: ${help}`)
      out.values.set(name, value)
    } else if (spec.optionalValues?.includes(name)) {
      const next = args[i + 1]
      out.values.set(name, inline ?? (next !== undefined && !isOption(next) && /^\d/.test(next) ? args[++i]! : ""))
    } else if (spec.lists?.includes(name)) {
      const list = out.lists.get(name) ?? []
      if (inline !== undefined) list.push(...inline.split(",").filter(Boolean))
      while (args[i + 1] !== undefined && !isOption(args[i + 1])) list.push(...args[++i]!.split(",").filter(Boolean))
      if (list.length === 0) throw new UsageError(`${name} needs at least one value: ${help}`)
      out.lists.set(name, list)
    } else {
      throw new UsageError(`unknown option ${name}: ${help}`)
    }
  }
  return out
}

/** A whole number option within [min, max], or `fallback` when absent. */
export function intOption(p: ParsedArgs, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = p.values.get(name)
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} '${raw}' must be a whole number from ${min} to ${max}`)
  return n
}
