import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { projectRoot } from "../../src/local/paths"
import { SOFT_LIMIT_BYTES } from "../../src/runtime/memory"
import { bunBin } from "../support/cli"

/**
 * What a stage process does between batches, under Bun as migrate runs it: garbage the size of a
 * large extract entry's parse, dropped, then relieveMemory(). Prints whether it collected and the
 * RSS before and after, in MB.
 */
const script = (garbageObjects: number) => `
import { relieveMemory } from ${JSON.stringify(join(projectRoot, "src/runtime/memory.ts"))}
let batch = []
for (let i = 0; i < ${garbageObjects}; i++) batch.push({ date: "2024-01-" + (i % 28), stock: i, price: String(i * 1.5) })
batch = undefined
const before = process.memoryUsage.rss()
const collected = relieveMemory()
console.log(JSON.stringify({ collected, before: before / 2 ** 20, after: process.memoryUsage.rss() / 2 ** 20 }))
`

const run = (garbageObjects: number) =>
  JSON.parse(execFileSync(bunBin, ["-e", script(garbageObjects)], { encoding: "utf8", cwd: projectRoot })) as { collected: boolean; before: number; after: number }

describe("relieveMemory", () => {
  it("brings a Bun process that dropped a large batch back under the soft limit", () => {
    const r = run(3_000_000)
    expect(r.before).toBeGreaterThan(SOFT_LIMIT_BYTES / 2 ** 20)
    expect(r.collected).toBe(true)
    expect(r.after).toBeLessThan(SOFT_LIMIT_BYTES / 2 ** 20)
  })

  it("spends nothing on a process under the limit", () => {
    expect(run(1_000).collected).toBe(false)
  })
})
