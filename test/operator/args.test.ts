import { describe, expect, it } from "vitest"
import { parseDlqArgs } from "../../src/dlq/command"
import { Differences } from "../../src/verify/differences"
import { parseVerifyArgs } from "../../src/verify/options"
import { keyFraction, sampler } from "../../src/verify/sample"

describe("operator command arguments", () => {
  it("verify: --full, --sample N or N%, --limit, --json", () => {
    expect(parseVerifyArgs([])).toEqual({ sample: { kind: "default" }, limit: 20, json: false })
    expect(parseVerifyArgs(["--full", "--json", "--limit", "5"])).toEqual({ sample: { kind: "full" }, limit: 5, json: true })
    expect(parseVerifyArgs(["--sample", "300"]).sample).toEqual({ kind: "groups", n: 300 })
    expect(parseVerifyArgs(["--sample=2.5%"]).sample).toEqual({ kind: "percent", p: 2.5 })
    expect(() => parseVerifyArgs(["--full", "--sample", "3"])).toThrow("--full checks every group")
    expect(() => parseVerifyArgs(["--limit", "0"])).toThrow("--limit '0' must be a whole number from 1")
    expect(() => parseVerifyArgs(["extra"])).toThrow("unexpected argument 'extra'")
  })

  it("dlq: a command, filters, ids in any spelling", () => {
    expect(parseDlqArgs(["retry", "--id", "1-0", "2-0", "--id=3-0,4-0", "--stage", "load-products"])).toMatchObject({
      action: "retry",
      filter: { stage: "load-products", ids: ["1-0", "2-0", "3-0", "4-0"] },
    })
    expect(parseDlqArgs(["list", "--reason", "orphan", "--limit", "3", "--json"])).toMatchObject({ action: "list", limit: 3, json: true, filter: { reason: "orphan" } })
    expect(() => parseDlqArgs(["list", "--stage", "loader"])).toThrow("--stage 'loader' is not a stage")
    expect(() => parseDlqArgs(["drop"])).toThrow("unknown command 'drop'")
    expect(() => parseDlqArgs(["purge", "--limit", "3"])).toThrow("--limit is for list")
  })
})

describe("the history sample", () => {
  it("is deterministic, spread by key hash, and at least 200 groups by default", () => {
    expect(keyFraction("k-1")).toBe(keyFraction("k-1"))
    expect(sampler({ kind: "default" }, 1_000).rate).toBe(0.2)
    expect(sampler({ kind: "default" }, 100_000).rate).toBe(0.02)
    expect(sampler({ kind: "groups", n: 50 }, 10).rate).toBe(1)
    const s = sampler({ kind: "percent", p: 10 }, 100_000)
    const picked = Array.from({ length: 20_000 }, (_, i) => `e${i}`).filter(s.includes).length
    expect(picked).toBeGreaterThan(1_700)
    expect(picked).toBeLessThan(2_300)
  })
})

describe("differences", () => {
  it("counts every difference and keeps the first ones in merge order", () => {
    const a = new Differences(2)
    a.missing("products", "p1")
    const b = new Differences(2)
    b.compare("products", "p2", [{ name: "name", get: (r: { name: string }) => r.name }], { name: "A" }, { name: "B" })
    b.extra("histories", "h1", "not produced")
    a.merge(b)
    expect(a.total).toBe(3)
    expect(a.first.map((d) => d.id)).toEqual(["p1", "p2"])
    expect(a.byTable).toEqual({ products: { missing: 1, extra: 0, field: 1 }, histories: { missing: 0, extra: 1, field: 0 } })
  })
})
