import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll } from "vitest"

interface TaskLike {
  result?: { state: string }
  tasks?: readonly TaskLike[]
}

const failed = (t: TaskLike): boolean => t.result?.state === "fail" || (t.tasks ?? []).some(failed)

/**
 * A directory for one test file's logs, removed after its tests (CI runs accumulated hundreds of
 * them in /tmp). Kept, and named on stderr, when one of its tests failed: its logs say why.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  // eslint-disable-next-line no-empty-pattern -- vitest reads a hook's first parameter for fixtures and accepts only a pattern
  afterAll(({}, file) => {
    if (failed(file as TaskLike)) process.stderr.write(`logs of the failed tests kept in ${dir}\n`)
    else rmSync(dir, { recursive: true, force: true })
  })
  return dir
}
