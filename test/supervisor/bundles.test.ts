import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { projectRoot } from "../../src/local/paths"
import { stageBundles, sourcesVersion } from "../../src/supervisor/bundles"

const bun = join(projectRoot, "node_modules", ".bin", "bun")
const bunVersion = spawnSync(bun, ["--version"], { encoding: "utf8" }).stdout.trim()

describe("the stages migrate starts on Bun, bundled", () => {
  // A Bun version of this test's own, so that it builds its bundles rather than finding the suite's.
  const version = `${bunVersion}-test-${process.pid}`
  const built: string[] = []
  afterAll(() => built.forEach((dir) => rmSync(dirname(dir), { recursive: true, force: true })))

  it("bundles the stages once per version of the sources, and a bundled stage runs", () => {
    const first = stageBundles(bun, version, ["transform", "load-products"])
    if (!("dir" in first)) throw new Error(first.error)
    built.push(first.dir)
    const builtAt = statSync(join(first.dir, "transform.js")).mtimeMs
    const again = stageBundles(bun, version, ["transform", "load-products"])
    expect(again).toEqual(first)
    expect(statSync(join(first.dir, "transform.js")).mtimeMs).toBe(builtAt)
    const help = spawnSync(bun, [join(first.dir, "transform.js"), "--help"], { encoding: "utf8", cwd: tmpdir() })
    expect(help.status, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/^Usage: bun stages\/transform\.ts/)
  })

  it("says why when bundling fails, for migrate to start the stages from their source", () => {
    const r = stageBundles("/bin/false", `${version}-false`, ["transform"])
    expect(r).toEqual({ error: "exit 1" })
  })

  it("gives sources a new version when any file of the code changes, and the same one otherwise", () => {
    const root = mkdtempSync(join(tmpdir(), "bundles-"))
    try {
      mkdirSync(join(root, "src", "streams", "lua"), { recursive: true })
      mkdirSync(join(root, "stages"))
      writeFileSync(join(root, "src", "a.ts"), "export const a = 1\n")
      writeFileSync(join(root, "src", "streams", "lua", "x.lua"), "return 1\n")
      writeFileSync(join(root, "stages", "s.ts"), "import './../src/a'\n")
      writeFileSync(join(root, "package-lock.json"), "{}\n")
      const v1 = sourcesVersion("1.0", root)
      expect(sourcesVersion("1.0", root)).toBe(v1)
      writeFileSync(join(root, "src", "streams", "lua", "x.lua"), "return 2\n")
      const v2 = sourcesVersion("1.0", root)
      expect(v2).not.toBe(v1)
      writeFileSync(join(root, "package-lock.json"), "{ }\n")
      expect(sourcesVersion("1.0", root)).not.toBe(v2)
      expect(sourcesVersion("1.1", root)).not.toBe(sourcesVersion("1.0", root))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
