/**
 * What a seeded database holds, recorded with COMMENT ON DATABASE so a second run with the same
 * parameters can do nothing, and --apply-changes knows the seed and the last simulated day.
 */

/** Bumped whenever the generator's output changes, so older databases are re-seeded. */
export const generatorVersion = 1

export interface AppliedChange {
  readonly day: string
  readonly seed: number
  readonly fraction: number
}

export interface SeedState {
  readonly seeder: "seed-legacy"
  readonly version: number
  /** "seeding" while the tables are being replaced: a crash then leaves no false "seeded". */
  readonly status: "seeding" | "seeded"
  readonly products: number
  readonly seed: number
  readonly asOf: string
  readonly changes: readonly AppliedChange[]
}

export interface SeedParams {
  readonly products: number
  readonly seed: number
  readonly asOf: string
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The recorded state, or undefined when the comment was not written by this seeder. */
export function parseState(comment: string | null): SeedState | undefined {
  if (comment === null) return undefined
  let value: unknown
  try {
    value = JSON.parse(comment)
  } catch {
    return undefined
  }
  if (!isRecord(value) || value["seeder"] !== "seed-legacy") return undefined
  const { version, status, products, seed, asOf, changes } = value
  if (typeof version !== "number" || (status !== "seeding" && status !== "seeded")) return undefined
  if (typeof products !== "number" || typeof seed !== "number" || typeof asOf !== "string") return undefined
  const applied = Array.isArray(changes) ? changes.filter(isRecord) : []
  return {
    seeder: "seed-legacy",
    version,
    status,
    products,
    seed,
    asOf,
    changes: applied.map((c) => ({ day: String(c["day"]), seed: Number(c["seed"]), fraction: Number(c["fraction"]) })),
  }
}

export function stateComment(state: SeedState): string {
  return JSON.stringify(state)
}

export function seedingState(params: SeedParams): SeedState {
  return { seeder: "seed-legacy", version: generatorVersion, status: "seeding", ...params, changes: [] }
}

/** True when the database holds exactly what seeding with these parameters produces. */
export function holdsSeed(state: SeedState | undefined, params: SeedParams): boolean {
  return (
    state !== undefined &&
    state.status === "seeded" &&
    state.version === generatorVersion &&
    state.changes.length === 0 &&
    state.products === params.products &&
    state.seed === params.seed &&
    state.asOf === params.asOf
  )
}

/** The last day the data reaches: the anchor day, or the last simulated one. */
export function lastDay(state: SeedState): string {
  return state.changes.reduce((last, c) => (c.day > last ? c.day : last), state.asOf)
}

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}
