import { spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { stages } from "../../src/pipeline/stages"
import { allocatorEnv } from "../../src/runtime/allocator"
import { bunBin } from "../support/cli"

const MIB = 1024 * 1024

describe("memory settings of the stages migrate starts", () => {
  it("keeps freed pages (extract for 10 s) and sizes JavaScriptCore's heap for a small machine in every stage, extract's and transform's smallest", () => {
    for (const { name: stage } of stages) {
      expect(allocatorEnv(stage, {})).toEqual({
        MIMALLOC_PURGE_DELAY: stage === "extract" ? "10000" : "-1",
        BUN_JSC_forceRAMSize: String((stage === "transform" || stage === "extract" ? 192 : 256) * MIB),
      })
    }
  })

  it("never overrides a value the user set", () => {
    expect(allocatorEnv("load-histories", { MIMALLOC_PURGE_DELAY: "10" })).toEqual({ BUN_JSC_forceRAMSize: String(256 * MIB) })
    expect(allocatorEnv("transform", { BUN_JSC_forceRAMSize: "1073741824", MIMALLOC_PURGE_DELAY: "10" })).toEqual({})
  })

  it("is an option the pinned Bun knows and applies (Bun refuses to start on an unknown BUN_JSC_ option)", () => {
    const env = { ...process.env, ...allocatorEnv("transform", {}), BUN_JSC_dumpOptions: "1" }
    const r = spawnSync(bunBin, ["-e", "console.log('started')"], { env, encoding: "utf8" })
    expect(r.status).toBe(0)
    expect(r.stdout + r.stderr).toMatch(new RegExp(`forceRAMSize=${192 * MIB}\\b`))
    expect(r.stdout).toMatch(/started/)
  })
})
