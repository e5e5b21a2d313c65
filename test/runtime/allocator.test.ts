import { describe, expect, it } from "vitest"
import { allocatorEnv } from "../../src/runtime/allocator"

describe("allocator settings of the stages migrate starts", () => {
  it("keeps freed pages in the loaders, whose peak memory stays within budget that way", () => {
    for (const stage of ["load-products", "load-histories", "load-multimedia"] as const) {
      expect(allocatorEnv(stage, {})).toEqual({ MIMALLOC_PURGE_DELAY: "-1" })
    }
  })

  it("leaves extract and transform on mimalloc's default, which bounds their resident memory", () => {
    expect(allocatorEnv("extract", {})).toEqual({})
    expect(allocatorEnv("transform", {})).toEqual({})
  })

  it("never overrides a value the user set", () => {
    expect(allocatorEnv("load-histories", { MIMALLOC_PURGE_DELAY: "10" })).toEqual({})
  })
})
