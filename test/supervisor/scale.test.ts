import { describe, expect, it } from "vitest"
import { copyPlan, planIsLarge } from "../../src/supervisor/scale"
import { defaultWorkers, parseWorkers } from "../../src/supervisor/workers"

describe("the copies migrate starts", () => {
  it("starts every default copy at once for a full run", () => {
    const plan = copyPlan(parseWorkers([]), "full", 25_000)
    expect(plan.now).toEqual(defaultWorkers)
    expect(plan.later).toEqual({})
  })

  it("starts one copy of each stage for an incremental run and keeps the other default copies for a large plan", () => {
    const plan = copyPlan(parseWorkers([]), "incremental", 25_000)
    for (const count of Object.values(plan.now)) expect(count).toBe(1)
    // Together, now and later are the defaults: a large plan ends up with what a full run has.
    const multi = Object.entries(defaultWorkers).filter(([, n]) => n > 1)
    expect(multi.length).toBeGreaterThan(0)
    expect(plan.later).toEqual(Object.fromEntries(multi.map(([s, n]) => [s, n - 1])))
  })

  it("never adjusts the copies --workers named, including 0 for stages run on other hosts", () => {
    const plan = copyPlan(parseWorkers(["--workers", "transform=3,load-histories=0"]), "incremental", 25_000)
    expect(plan.now.transform).toBe(3)
    expect(plan.now["load-histories"]).toBe(0)
    expect(plan.later.transform).toBeUndefined()
    expect(plan.later["load-histories"]).toBeUndefined()
  })

  it("calls a plan large from SCALE_UP_PRODUCTS products on", () => {
    const plan = copyPlan(parseWorkers([]), "incremental", 25_000)
    expect(planIsLarge(plan, 24_999)).toBe(false)
    expect(planIsLarge(plan, 25_000)).toBe(true)
    expect(planIsLarge(copyPlan(parseWorkers([]), "incremental", 0), 0)).toBe(true)
  })
})
