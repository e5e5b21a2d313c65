import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { runCli, stageEnv } from "../support/cli"

describe("npm run chaos", () => {
  it("runs one migration through two stage kills, a Redis restart and a PostgreSQL restart: exit 0 without a rerun, v3 identical to an uninterrupted run, nothing left behind", async () => {
    const r = await runCli("scripts/chaos.ts", ["--products", "1500", "--only", "all", "--seed", "3"], stageEnv({}), 600_000)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const trial = r.stdout.split("\n").find((l) => l.startsWith("trial 1 (all)"))!
    // Every fault happened during the run, and the run still ended identical.
    expect(trial).toMatch(/kill-stage .*kill-stage .*-> exit 0/)
    expect(trial).toMatch(/restart-redis redis/)
    expect(trial).toMatch(/restart-postgres postgres/)
    expect(trial).toMatch(/v3 identical to the reference$/)
    expect(r.stdout).toMatch(/chaos: 1 trials, 1 identical, 0 failed or different/)
    // A passing run leaves no servers' data behind (about 170 MB a run).
    const dir = /data in (\S+)$/m.exec(r.stdout)![1]!
    expect(existsSync(dir)).toBe(false)
  }, 600_000)

  it("rejects an unknown fault with status 2", async () => {
    const r = await runCli("scripts/chaos.ts", ["--only", "meteor"], stageEnv({}))
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe("--only 'meteor' is not a fault: use kill-stage, restart-redis, restart-postgres, all")
  })
})
