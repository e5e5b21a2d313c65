import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { portAnswers } from "../../src/local/paths"
import { existsSync, rmSync } from "node:fs"
import { join } from "node:path"
import { clusterPorts, slotOwner, startRedisCluster, stopClusterNode, stopRedisCluster } from "../../src/local/redis-cluster"
import { privateSite, type Site } from "../../src/local/site"
import { runCli, startCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { e2eFixture } from "../support/e2e"
import { actualV3 } from "../support/expected"
import { productCount } from "../support/pg"
import { until } from "../support/until"
import { childrenOf, killNow } from "../support/processes"

/**
 * The pipeline against a Redis Cluster of three primaries (src/local/redis-cluster.ts), with
 * REDIS_URL naming one node: every command finds the others and the pipeline's slot.
 */
const world = e2eFixture("cluster", 800, 23, { EXTRACT_BATCH_SIZE: "40", HISTORY_BATCH_ROWS: "500", CLAIM_IDLE_MS: "1000", RETRY_DELAY: "0.2" })
let site: Site
let nodeUrl: string

beforeAll(async () => {
  // Free ports are only free until someone takes them: a second choice when the first is lost.
  for (let attempt = 1; ; attempt++) {
    let base = 0
    do base = 30_000 + Math.floor(Math.random() * 20_000)
    while ([0, 2, 3, 4, -19_998, -19_997, -19_996].some((d) => portAnswers(base + d)))
    site = privateSite(`cluster-${process.pid}-${attempt}`, base, base)
    try {
      await startRedisCluster(site)
      break
    } catch (err) {
      await stopRedisCluster(site, { wipe: true })
      rmSync(site.dir, { recursive: true, force: true })
      if (attempt === 3) throw err
    }
  }
  // Name a node that does not hold the pipeline's slot, as a user's first node often would not.
  nodeUrl = `redis://127.0.0.1:${clusterPorts(site)[2]}/0`
}, 120_000)

afterAll(async () => {
  await stopRedisCluster(site, { wipe: true })
  rmSync(site.dir, { recursive: true, force: true })
})

const onCluster = (env: NodeJS.ProcessEnv) => ({ ...env, REDIS_URL: nodeUrl })


describe("on a Redis Cluster", () => {
  it("migrates exactly as the contract demands, and status, verify and dlq read the run from the cluster", async () => {
    const t = await world.target()
    const env = onCluster(t.env)
    const r = await runCli("stages/migrate.ts", [], env)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
    const status = await runCli("stages/status.ts", ["--json"], env)
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ state: "done", run: { kind: "full", status: "done" } })
    const verified = await runCli("stages/verify.ts", [], env)
    expect(verified.code, verified.stdout + verified.stderr).toBe(0)
    const letters = await runCli("stages/dlq.ts", ["list", "--json"], env)
    expect(letters.code, letters.stderr).toBe(0)
    expect((JSON.parse(letters.stdout) as { matched: number }).matched).toBeGreaterThan(0)
    const again = await runCli("stages/migrate.ts", [], env)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/changes +0 groups/)
  })

  it("ends identical to an uninterrupted run after kill -9 of migrate and every stage mid-run, then migrate again", async () => {
    const t = await world.target()
    const env = onCluster(t.env)
    const run = startCli("stages/migrate.ts", [], env)
    await until(async () => (await productCount(t.v3.url)) > world.expected.tables.products.length / 4, "a quarter of the products in v3", 120_000)
    killNow([...childrenOf(run.child.pid!), run.child.pid!])
    await run.done
    expect(await productCount(t.v3.url)).toBeLessThan(world.expected.tables.products.length)
    const again = await runCli("stages/migrate.ts", [], env)
    expect(again.code, again.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("writes no duplicate when load-histories dies after its commit and before its XACK", async () => {
    const marker = join(world.logDir, "fault-cluster-load-histories")
    const t = await world.target({ MIGRATOR_FAULT: `load-histories:after-commit:3:${marker}` })
    const r = await runCli("stages/migrate.ts", [], onCluster(t.env))
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(marker)).toBe(true)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })

  it("rides out a restart of the primary serving the pipeline's slot: exit 0 and the same v3", async () => {
    const t = await world.target()
    const run = startCli("stages/migrate.ts", [], onCluster(t.env))
    await until(async () => (await productCount(t.v3.url)) > world.expected.tables.products.length / 4, "a quarter of the products in v3", 120_000)
    await stopClusterNode(site, slotOwner(site, `{${t.prefix}}`))
    await new Promise((r) => setTimeout(r, 2_000))
    await startRedisCluster(site)
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    // The outage was seen and ridden out, said once when it began and once when it ended.
    expect(r.stdout).toMatch(/"msg":"Redis at [^"]* is unreachable/)
    expect(r.stdout).toMatch(/"msg":"Redis at [^"]* is back after/)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])
  })
})
