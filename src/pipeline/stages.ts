/**
 * The stage registry: one declaration per stage of the pipeline. Stream keys, consumer groups,
 * the copies `migrate` starts, backpressure bounds, progress units and expectations, the
 * summary, status, dlq filters, help texts and verify's table list are all derived from it, so
 * adding a stage (say a loader for a new target table) is one entry here plus its own code.
 */

/** The streams between stages; each consumer stage reads one, in a group named after itself. */
export const streamNames = ["extract", "products", "histories", "multimedia"] as const
export type StreamName = (typeof streamNames)[number]

export interface StageSpec {
  readonly name: string
  /** The stream its consumer group reads; null for extract, which reads the legacy database. */
  readonly input: StreamName | null
  /** The streams it publishes to. */
  readonly outputs: readonly StreamName[]
  /** Other stages whose writes it needs first (child rows wait for their product's load). */
  readonly after: readonly string[]
  /** One line on what it does, for --help and the docs. */
  readonly does: string
  /** What its progress counts. */
  readonly unit: "products" | "rows"
  /** Copies `migrate` starts unless told otherwise: the CPU-heavy stages get two. */
  readonly defaultCopies: number
  /** Entries one copy reads and processes at once (a loader holds a database connection per entry). */
  readonly concurrency: number
  /** Backpressure: entries its group may hold, undelivered plus pending, per MAX_IN_FLIGHT. */
  readonly inFlightFactor: number
  /** Rows it will have handled when the run ends, from the run's counts as far as they are known. */
  readonly expected: (counts: Readonly<Record<string, number>>) => number
  /** The v3 tables it writes, in the order verify reports them. */
  readonly tables: readonly string[]
}

const count = (counts: Readonly<Record<string, number>>, ...keys: string[]) => keys.reduce((n, k) => n + (counts[k] ?? 0), 0)

const defineStages = <const T extends readonly StageSpec[]>(stages: T) => stages

export const stages = defineStages([
  {
    name: "extract",
    input: null,
    outputs: ["extract"],
    after: [],
    does: "reads the legacy database in server-side cursors and publishes batches of whole groups",
    unit: "products",
    defaultCopies: 1,
    concurrency: 1,
    inFlightFactor: 0,
    // Extract's expectation is the run's product total or plan size, not a count (status/collect.ts).
    expected: () => 0,
    tables: [],
  },
  {
    name: "transform",
    input: "extract",
    outputs: ["products", "histories", "multimedia"],
    after: [],
    does: "applies the mapping (src/mapping) and publishes the rows of each target table, rejected rows to the dead-letter stream",
    unit: "products",
    // One copy keeps up on 2 cores and spends less: 400k full run, two alternated pairs, 160.2
    // and 145.9 s against 163.0 and 152.6 s with two, 17–20 fewer CPU-seconds (docs/DECISIONS.md 45).
    defaultCopies: 1,
    concurrency: 1,
    inFlightFactor: 1,
    expected: (c) => count(c, "extract.products"),
    tables: [],
  },
  {
    name: "load-products",
    input: "products",
    outputs: [],
    after: [],
    does: "upserts platform_countries, providers and products",
    unit: "products",
    defaultCopies: 1,
    concurrency: 1,
    inFlightFactor: 2,
    expected: (c) => count(c, "products.migrated"),
    tables: ["platform_countries", "providers", "products"],
  },
  {
    name: "load-histories",
    input: "histories",
    // Rows of a product not loaded yet are re-queued on its own stream.
    outputs: ["histories"],
    after: ["load-products"],
    does: "replaces each product's histories with the batch's rows",
    unit: "rows",
    defaultCopies: 2,
    concurrency: 2,
    // Transform splits a batch's histories into several entries.
    inFlightFactor: 8,
    // A group that only gained rows counts only the rows mapped from its first changed date, and
    // one whose added rows repeat rows already there none (src/transform/outputs.ts).
    expected: (c) => count(c, "histories.kept", "histories.filled") - count(c, "histories.unchanged"),
    tables: ["histories"],
  },
  {
    name: "load-multimedia",
    input: "multimedia",
    outputs: ["multimedia"],
    after: ["load-products"],
    does: "replaces each product's multimedia with the batch's rows",
    unit: "rows",
    defaultCopies: 1,
    concurrency: 2,
    inFlightFactor: 2,
    expected: (c) => count(c, "multimedia.migrated") - count(c, "multimedia.not_resent"),
    tables: ["multimedia"],
  },
])

export type Stage = (typeof stages)[number]["name"]
type ConsumerSpec = Extract<(typeof stages)[number], { input: StreamName }>
export type ConsumerStage = ConsumerSpec["name"]

/** Every stage, typed as the common shape (for loops that need not know which stage is which). */
const all: readonly StageSpec[] = stages

export const stageNames: readonly Stage[] = stages.map((s) => s.name)
export const consumerStages: readonly ConsumerStage[] = stages.filter((s): s is ConsumerSpec => s.input !== null).map((s) => s.name)

export function stageSpec(name: Stage): StageSpec {
  return all.find((s) => s.name === name)!
}

export function isStage(name: string): name is Stage {
  return (stageNames as readonly string[]).includes(name)
}

/** The stream a consumer stage reads. */
export function inputOf(stage: ConsumerStage): StreamName {
  return stageSpec(stage).input!
}

/**
 * The consumer stages whose work must be done before `stage` has seen all it ever will: those
 * feeding its stream and those it waits for, directly or through others, in pipeline order.
 */
export function upstreamOf(stage: Stage): ConsumerStage[] {
  const found = new Set<string>()
  const visit = (s: StageSpec) => {
    for (const other of all) {
      const feeds = s.input !== null && other.outputs.includes(s.input)
      if (other.name !== s.name && (feeds || s.after.includes(other.name)) && !found.has(other.name)) {
        found.add(other.name)
        visit(other)
      }
    }
  }
  visit(stageSpec(stage))
  return consumerStages.filter((s) => found.has(s))
}

export type TargetTable = (typeof stages)[number]["tables"][number]

/** The v3 tables the pipeline writes, in pipeline order. */
export const targetTables = all.flatMap((s) => s.tables) as readonly TargetTable[]
