import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { projectRoot } from "../local/paths"

/**
 * Where migrate keeps its stages bundled by Bun, one directory per version of the sources
 * (node_modules/.cache, where build tools keep theirs). A stage started from its TypeScript
 * source spends most of its start transpiling and linking a few hundred modules: on a 400k
 * quiet day the six processes of a run used 7.3 CPU-seconds from source against 5.9 bundled
 * (three alternated pairs, 2 cores), and every bundled run of eleven but one was faster.
 */
export const bundlesDir = join(projectRoot, "node_modules", ".cache", "migrator-stages")

/** Files whose change changes the bundles: the code, its Lua and SQL, the locked dependencies. */
function sources(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|lua|sql|json)$/.test(e.name) ? [join(dir, e.name)] : []))
  const locks = ["package-lock.json", "bun.lock", "bun.lockb"].map((f) => join(root, f)).filter((f) => existsSync(f))
  return [...walk(join(root, "src")), ...walk(join(root, "stages")), ...locks]
}

/** The version of the sources under `root`, with the Bun that bundles them. */
export function sourcesVersion(bunVersion: string, root = projectRoot): string {
  const hash = createHash("sha1").update(bunVersion)
  for (const file of sources(root)) hash.update(relative(root, file)).update("\0").update(readFileSync(file))
  return hash.digest("hex").slice(0, 16)
}

/** Versions left by earlier sources live this long, for a run of theirs that restarts a stage. */
const KEEP_OLD_MS = 24 * 3600_000

/**
 * The directory holding `stages` bundled (`<stage>.js` each, chunks shared), built with `bun`
 * unless this version of the sources was bundled before. Built aside and renamed into place,
 * so that two migrates starting at once never run a half-written bundle.
 */
export function stageBundles(bun: string, bunVersion: string, stages: readonly string[]): { dir: string } | { error: string } {
  const version = sourcesVersion(bunVersion)
  const dir = join(bundlesDir, version, "stages")
  if (stages.every((s) => existsSync(join(dir, `${s}.js`)))) return { dir }
  const scratch = join(bundlesDir, `tmp-${process.pid}-${Date.now()}`)
  mkdirSync(join(scratch, "stages"), { recursive: true })
  const entries = stages.map((s) => join(projectRoot, "stages", `${s}.ts`))
  const r = spawnSync(bun, ["build", ...entries, "--target=bun", "--splitting", "--outdir", join(scratch, "stages")], { encoding: "utf8" })
  if (r.status !== 0) {
    rmSync(scratch, { recursive: true, force: true })
    const why = `${r.stderr ?? ""}${r.stdout ?? ""}`.trim().split("\n").filter(Boolean).at(-1) ?? r.error?.message ?? `exit ${r.status}`
    return { error: why }
  }
  try {
    renameSync(scratch, dirname(dir))
  } catch {
    // Another migrate bundled the same version meanwhile: its bundle is as good.
    rmSync(scratch, { recursive: true, force: true })
  }
  for (const entry of readdirSync(bundlesDir)) {
    const path = join(bundlesDir, entry)
    if (entry !== version && Date.now() - statSync(path).mtimeMs > KEEP_OLD_MS) rmSync(path, { recursive: true, force: true })
  }
  return existsSync(join(dir, `${stages[0]}.js`)) ? { dir } : { error: `no bundle in ${dir}` }
}
