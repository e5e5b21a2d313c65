/** Which groups verify compares histories for: all with --full, else a sample spread over the key space. */
export interface Sampler {
  /** Fraction of groups sampled, 1 for all. */
  rate: number
  includes: (key: string) => boolean
}

export type SampleOption = { kind: "full" } | { kind: "groups"; n: number } | { kind: "percent"; p: number } | { kind: "default" }

/** Default: 2% of the groups, at least 200. */
const DEFAULT_RATE = 0.02
const DEFAULT_MIN_GROUPS = 200

/** FNV-1a over the key's UTF-16 code units, as a fraction in [0, 1): stable across runs and machines. */
export function keyFraction(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h / 2 ** 32
}

/**
 * A deterministic sample: a group is in it when its key hashes below the rate, so the same
 * groups are checked every time (a difference found once is found again) and they are spread
 * evenly over the key space rather than bunched at its start.
 */
export function sampler(option: SampleOption, totalGroups: number): Sampler {
  const total = Math.max(totalGroups, 1)
  const rate =
    option.kind === "full" ? 1
    : option.kind === "groups" ? option.n / total
    : option.kind === "percent" ? option.p / 100
    : Math.max(DEFAULT_RATE, DEFAULT_MIN_GROUPS / total)
  const r = Math.min(1, rate)
  return { rate: r, includes: r >= 1 ? () => true : (key) => keyFraction(key) < r }
}
