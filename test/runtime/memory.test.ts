import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { projectRoot } from "../../src/local/paths"
import { GROWTH_BYTES, SOFT_LIMIT_BYTES } from "../../src/runtime/memory"
import { bunBin } from "../support/cli"

/**
 * What a stage process does between batches, under Bun as migrate runs it: garbage the size of a
 * large extract entry's parse, dropped, then relieveMemory(); `live` objects stay referenced, so
 * RSS stays above the limit after the collection. Prints whether it collected, the RSS before
 * and after, and whether a second call right after collected again, in MB.
 */
const script = (garbageObjects: number, live = 0) => `
import { relieveMemory } from ${JSON.stringify(join(projectRoot, "src/runtime/memory.ts"))}
const kept = []
for (let i = 0; i < ${live}; i++) kept.push({ date: "2024-02-" + (i % 28), stock: i, price: String(i * 2.5) })
let batch = []
for (let i = 0; i < ${garbageObjects}; i++) batch.push({ date: "2024-01-" + (i % 28), stock: i, price: String(i * 1.5) })
batch = undefined
const before = process.memoryUsage.rss()
const collected = relieveMemory()
const after = process.memoryUsage.rss()
const again = relieveMemory()
console.log(JSON.stringify({ collected, again, before: before / 2 ** 20, after: after / 2 ** 20, kept: kept.length }))
`

const run = (garbageObjects: number, live = 0) =>
  JSON.parse(execFileSync(bunBin, ["-e", script(garbageObjects, live)], { encoding: "utf8", cwd: projectRoot })) as {
    collected: boolean
    again: boolean
    before: number
    after: number
  }

describe("relieveMemory", () => {
  it("brings a Bun process that dropped a large batch back under the soft limit", () => {
    const r = run(3_000_000)
    expect(r.before).toBeGreaterThan(SOFT_LIMIT_BYTES / 2 ** 20)
    expect(r.collected).toBe(true)
    expect(r.after).toBeLessThan(SOFT_LIMIT_BYTES / 2 ** 20)
  })

  it("does not collect again while RSS stays above the limit but has not grown since the last collection", () => {
    // About 200 MB live: the limit cannot be reached by collecting, and collecting again would only burn CPU.
    const r = run(3_000_000, 2_500_000)
    expect(r.collected).toBe(true)
    expect(r.after).toBeGreaterThan(SOFT_LIMIT_BYTES / 2 ** 20)
    expect(r.after).toBeLessThan(r.before + GROWTH_BYTES / 2 ** 20)
    expect(r.again).toBe(false)
  })

  it("spends nothing on a process under the limit", () => {
    expect(run(1_000).collected).toBe(false)
  })
})
