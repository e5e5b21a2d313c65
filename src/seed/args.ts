/** Command line of `npm run seed:legacy`: what to do, validated, or the one line saying what is wrong. */

export const defaultSeed = 1
export const defaultAsOf = "2026-11-20"
export const defaultFraction = 0.01
/** Share of recently changed products the day's scrape reaches (a busy, realistic day). */
export const defaultScrapeShare = 0.85
/** History keys are n * 2048 + i and must stay below 2^32 (see random.sql). */
export const maxProducts = 2_000_000

export type SeedCommand =
  | { kind: "help" }
  | { kind: "seed"; products: number; seed: number; asOf: string; force: boolean }
  | { kind: "changes"; seed: number | undefined; day: string | undefined; fraction: number; scrapeShare: number }

export class ArgError extends Error {}

export const usage = `Usage:
  npm run seed:legacy -- --products N [--seed S] [--as-of YYYY-MM-DD] [--force]
  npm run seed:legacy -- --apply-changes [--seed S] [--day YYYY-MM-DD] [--fraction F] [--scrape-share S]

Fills the legacy (v2) database named by OLD_DATABASE_URL with deterministic demo data that holds
every quirk of the mapping contract (creating the database when it does not exist), or simulates
one day of legacy activity on a database seeded that way.
  --products N     products to create (1..${maxProducts}); history is about 27 rows per product
  --seed S         whole number 0..2147483647 (default ${defaultSeed}); same N and S give identical data
  --as-of DAY      the anchor "today" of the data (default ${defaultAsOf})
  --force          re-create the tables even when they already hold this seed
  --apply-changes  edit ~F of the products, add a few products and the day's history (needs a seeded database)
  --day DAY        the day to simulate (default: the day after the last one in the database)
  --fraction F     share of products edited, 0 < F <= 1 (default ${defaultFraction})
  --scrape-share S share of the products changed in the last 30 days that get a history row for
                   the day, 0 <= S <= 1 (default ${defaultScrapeShare})

Settings:
  OLD_DATABASE_URL       legacy (v2) PostgreSQL URL`

const valueFlags = new Set(["--products", "--seed", "--as-of", "--day", "--fraction", "--scrape-share"])
const switchFlags = new Set(["--force", "--apply-changes", "--help", "-h"])

function wholeNumber(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new ArgError(`${flag} must be a whole number from ${min} to ${max}, not '${raw}'`)
  }
  return n
}

function day(flag: string, raw: string): string {
  const parsed = new Date(`${raw}T00:00:00Z`)
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(raw)
  if (!ok) throw new ArgError(`${flag} must be a real date written YYYY-MM-DD, not '${raw}'`)
  // Generated history reaches ~3.4 years back; it must not run into the contract's pre-2015 cut-off.
  if (raw < "2019-01-01" || raw > "2099-12-31") throw new ArgError(`${flag} must lie between 2019-01-01 and 2099-12-31`)
  return raw
}

function share(flag: string, raw: string, zero: boolean): number {
  const f = Number(raw)
  if (raw.trim() === "" || !Number.isFinite(f) || f < 0 || (f === 0 && !zero) || f > 1) {
    throw new ArgError(`${flag} must be a number ${zero ? "from 0" : "greater than 0 and"} ${zero ? "to 1" : "at most 1"}, not '${raw}'`)
  }
  return f
}

/** Reads argv (without the node and script entries). Throws ArgError for anything unusable. */
export function parseArgs(argv: readonly string[]): SeedCommand {
  const values = new Map<string, string>()
  const switches = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ""
    const eq = arg.indexOf("=")
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined]
    if (switchFlags.has(flag) && inline === undefined) switches.add(flag)
    else if (valueFlags.has(flag)) {
      const value = inline ?? argv[++i]
      if (value === undefined || value.startsWith("--")) throw new ArgError(`${flag} needs a value (see --help)`)
      if (values.has(flag)) throw new ArgError(`${flag} is given twice`)
      values.set(flag, value)
    } else throw new ArgError(`unknown argument '${arg}' (see --help)`)
  }
  if (switches.has("--help") || switches.has("-h")) return { kind: "help" }
  const seedRaw = values.get("--seed")
  const seed = seedRaw === undefined ? undefined : wholeNumber("--seed", seedRaw, 0, 2_147_483_647)
  if (switches.has("--apply-changes")) {
    for (const flag of ["--products", "--as-of", "--force"]) {
      if (values.has(flag) || switches.has(flag)) throw new ArgError(`${flag} cannot be combined with --apply-changes`)
    }
    const dayRaw = values.get("--day")
    const fractionRaw = values.get("--fraction")
    const scrapeRaw = values.get("--scrape-share")
    return {
      kind: "changes",
      seed,
      day: dayRaw === undefined ? undefined : day("--day", dayRaw),
      fraction: fractionRaw === undefined ? defaultFraction : share("--fraction", fractionRaw, false),
      scrapeShare: scrapeRaw === undefined ? defaultScrapeShare : share("--scrape-share", scrapeRaw, true),
    }
  }
  for (const flag of ["--day", "--fraction", "--scrape-share"]) {
    if (values.has(flag)) throw new ArgError(`${flag} only goes with --apply-changes`)
  }
  const productsRaw = values.get("--products")
  if (productsRaw === undefined) throw new ArgError("--products N is required (or --apply-changes; see --help)")
  const asOfRaw = values.get("--as-of")
  return {
    kind: "seed",
    products: wholeNumber("--products", productsRaw, 1, maxProducts),
    seed: seed ?? defaultSeed,
    asOf: asOfRaw === undefined ? defaultAsOf : day("--as-of", asOfRaw),
    force: switches.has("--force"),
  }
}
