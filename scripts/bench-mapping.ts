/**
 * Micro-benchmark of the mapping core (not a test): one realistic group — one product, 60 days of
 * history with re-scrapes and gaps, 8 gallery items — mapped many times. Prints the mean µs per
 * product and, measured in the same run, a JSON.parse(JSON.stringify(group)) baseline so the figure
 * can be quoted as a ratio. Runs with `./node_modules/.bin/bun scripts/bench-mapping.ts` and
 * `npx tsx scripts/bench-mapping.ts`.
 */
import { dateOfDay, dayNumber, mapGroup, mappingConfig } from "../src/mapping"
import type { LegacyGroup, LegacyHistory, LegacyProduct } from "../src/mapping"

if (process.argv.length > 2) {
  const help = process.argv.includes("--help") || process.argv.includes("-h")
  ;(help ? console.log : console.error)(`Usage: npm run bench:mapping

Times the mapping of one product with 60 days of history (re-scrapes, gaps, every date format)
and 8 gallery items, 5 rounds of 20,000, against a JSON.parse(JSON.stringify()) round trip of the
same rows measured in the same run. Takes no options; needs no database.`)
  process.exit(help ? 0 : 2)
}

const product: LegacyProduct = {
  uuid: "6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  platform: " Dropi",
  country: "co",
  external_id: "88231",
  name: "  Lámpara   LED  recargable ",
  description: "  Lámpara de escritorio\ncon   batería ",
  sale_price: 45900,
  suggested_price: 79900,
  stock: 312,
  total_sales_amount: 1_250_000.5,
  total_sold_units: 27,
  sales_last_7_days: 91800,
  sales_last_30_days: "NaN",
  sold_units_last_7_days: 2,
  sold_units_last_30_days: -1,
  variations_amount: 2.5,
  score: 7,
  visible: true,
  categories: JSON.stringify([{ name: "Tecnología", externalId: "12" }]),
  gallery: [
    { url: "products/88231/a.jpg", sourceUrl: "https://supplier.example/a.jpg" },
    { url: "https://dropkiller.s3.amazonaws.com/products/88231/b.jpg?X-Amz=1" },
    { url: "http://s3.us-east-2.amazonaws.com/dropkiller/products/88231/c.webm" },
    { url: "http://cdn.supplier.example/d.png" },
    { url: "//cdn.supplier.example/e.png" },
    { url: "URL_NOT_FOUND", sourceUrl: "https://supplier.example/f.jpg" },
    { url: "/products/88231/a.jpg" },
    { url: "imagen no disponible" },
  ],
  provider: JSON.stringify({ provider_name: " Importadora  Sol ", external_id: 4471, verified: true }),
  created_at: "2023-05-02",
  updated_at: "2024-03-01",
}

const uuidOf = (scrape: number, day: number): string =>
  `${scrape}0000000-0000-4000-8000-${String(day).padStart(12, "0")}`

function historyRows(): LegacyHistory[] {
  const rows: LegacyHistory[] = []
  const first = dayNumber("2024-01-01")
  for (let i = 0; i < 60; i++) {
    // A few gaps.
    if (i % 13 === 5) continue
    const date = dateOfDay(first + i)
    const base = {
      external_product_id: "88231",
      country: i % 2 === 0 ? "CO" : " co ",
      platform: i % 3 === 0 ? "dropi" : "Dropi",
      stock: 400 - i,
      sale_price: 45900,
      stock_adjustment: i % 10 === 0 ? true : null,
      stock_adjustment_reason: i % 10 === 0 ? " restock " : null,
    }
    // The three accepted date spellings, in turn.
    const spelled =
      i % 4 === 0 ? `${date}T08:15:00Z` : i % 4 === 1 ? `${date.slice(8)}/${date.slice(5, 7)}/${date.slice(0, 4)}` : date
    const units = i % 5
    rows.push({ ...base, uuid: uuidOf(0, i), date: spelled, sold_units: units, sales_amount: units * 45900 })
    // A few re-scrapes of the same day.
    if (i % 9 === 0) rows.push({ ...base, uuid: uuidOf(1, i), date, sold_units: units + 1, sales_amount: (units + 1) * 45900 })
  }
  return rows
}

const group: LegacyGroup = { key: product.external_id, products: [product], histories: historyRows() }
const cfg = mappingConfig()

function timeIt(label: string, iterations: number, run: () => number): number {
  let sink = 0
  // Warm-up, so the JIT has compiled the hot paths before timing.
  for (let i = 0; i < Math.min(iterations, 5_000); i++) sink += run()
  const rounds: number[] = []
  for (let round = 0; round < 5; round++) {
    const start = performance.now()
    for (let i = 0; i < iterations; i++) sink += run()
    rounds.push(((performance.now() - start) * 1000) / iterations)
  }
  rounds.sort((a, b) => a - b)
  const median = rounds[Math.floor(rounds.length / 2)] ?? Number.NaN
  const mean = rounds.reduce((a, b) => a + b, 0) / rounds.length
  // The best round is the least disturbed by other load on the machine.
  const best = rounds[0] ?? Number.NaN
  const figures = `mean ${mean.toFixed(2).padStart(7)} µs  median ${median.toFixed(2).padStart(7)} µs  best ${best.toFixed(2).padStart(7)} µs`
  console.log(`${label.padEnd(44)} ${figures}  (5 rounds × ${iterations}, checksum ${sink % 997})`)
  return mean
}

const sample = mapGroup(group, cfg)
const { kept, filled } = sample.historyCounts
const multimedia = sample.migrated[0]?.multimedia.length ?? 0
const dropped = sample.droppedHistories.length
console.log(`group: ${group.histories.length} history rows → kept ${kept}, filled ${filled}, dropped ${dropped}`)
console.log(`gallery: 8 items → ${multimedia} multimedia`)
const iterations = 20_000
const mapping = timeIt("mapGroup (µs per product)", iterations, () => mapGroup(group, cfg).migrated.length)
const baseline = timeIt("baseline JSON.parse(JSON.stringify(group))", iterations, () => {
  const copy = JSON.parse(JSON.stringify(group)) as LegacyGroup
  return copy.histories.length
})
const runtime = typeof (globalThis as { Bun?: unknown }).Bun === "undefined" ? `node ${process.version}` : "bun"
const ratio = (mapping / baseline).toFixed(2)
console.log(`${runtime}: mapGroup ${mapping.toFixed(2)} µs per product = ${ratio} × the JSON baseline (target < 100 µs)`)
