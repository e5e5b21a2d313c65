import { expect } from "vitest"
import { type CliResult, runCli } from "../support/cli"

/** Settings for the tests' small runs: two extract units keep tiny runs quick. */
export const smallRun = { EXTRACT_SLICES: "2" }

/** Runs `bun stages/migrate.ts` and expects it to finish cleanly, with nothing dead-lettered. */
export async function migrateCleanly(env: NodeJS.ProcessEnv): Promise<CliResult> {
  const result = await runCli("stages/migrate.ts", [], env)
  expect(result.code, result.stderr).toBe(0)
  return result
}
