import { spawn } from "node:child_process"
import { rmSync } from "node:fs"
import { join } from "node:path"
import { differingTables } from "../src/chaos/compare"
import { type Fault, type FaultKind, faultKinds, inject } from "../src/chaos/faults"
import { intOption, parseArgs } from "../src/cli/args"
import { freePorts, localUser, projectRoot } from "../src/local/paths"
import { startPostgres, stopPostgres } from "../src/local/postgres"
import { startRedis, stopRedis } from "../src/local/redis"
import { privateSite, siteUrls } from "../src/local/site"
import { UsageError } from "../src/runtime/errors"
import { sleep } from "../src/runtime/sleep"

const usage = `Usage: npm run chaos -- [--products N] [--seed S] [--rounds R] [--only kill-stage|restart-redis|restart-postgres|all]

Proves that a migration survives what servers and processes do in production. On PostgreSQL and
Redis servers of its own (free loopback ports, a temporary directory; the local services are
not touched) it seeds a legacy database of N products (default 3000), runs one uninterrupted
migration as the reference, then runs trials, each one migration into a fresh v3 database with
faults injected at random moments of it:
  kill-stage        two stage processes killed with SIGKILL (migrate restarts them)
  restart-redis     Redis stopped, then started again 1-3 s later (from its append-only file)
  restart-postgres  PostgreSQL restarted (pg_ctl restart -m fast: every connection cut)
  all               all of the above in one run
Each trial must exit 0 without a rerun and leave v3 identical, table by table, to the reference.
Prints every fault, each trial's outcome and the time the run lost to its faults.
Exit status: 0 every trial identical; 1 a trial failed or differed; 2 bad argument.`

const bun = join(projectRoot, "node_modules", ".bin", "bun")

function run(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(bun, [join(projectRoot, script), ...args], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  let out = ""
  // Kept only until migrate says the run began (see `begun`): a few KB.
  child.stdout.on("data", (d: Buffer) => (out = out.length < 65_536 ? out + d.toString() : out))
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once("exit", (code) => resolve({ code, stderr })))
  /** Resolves once migrate has connected to every server and begun or resumed its run. */
  const begun = new Promise<void>((resolve) => {
    const check = () => (/starting a new run|resuming the unfinished run/.test(out) ? resolve() : undefined)
    child.stdout.on("data", check)
  })
  return { child, done, begun }
}

async function must(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const r = await run(script, args, env).done
  if (r.code !== 0) throw new Error(`${script} failed (exit ${r.code}): ${r.stderr.trim().split("\n").at(-1)}`)
}

/** A deterministic random source, so a seed replays the same fault times and victims. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const args = process.argv.slice(2)
if (args.includes("--help") || args.includes("-h")) {
  console.log(usage)
  process.exit(0)
}
let options: { products: number; seed: number; rounds: number; only: string | undefined }
try {
  const p = parseArgs(args, { command: "npm run chaos --", values: ["--products", "--seed", "--rounds", "--only"] })
  const only = p.values.get("--only")
  if (only !== undefined && only !== "all" && !(faultKinds as readonly string[]).includes(only)) {
    throw new UsageError(`--only '${only}' is not a fault: use ${[...faultKinds, "all"].join(", ")}`)
  }
  options = { products: intOption(p, "--products", 3000, 100, 2_000_000), seed: intOption(p, "--seed", 1, 0, 1e9), rounds: intOption(p, "--rounds", 1, 1, 100), only }
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  process.exit(2)
}

const allPlans: { name: string; faults: FaultKind[] }[] = [
  { name: "kill-stage", faults: ["kill-stage", "kill-stage"] },
  { name: "restart-redis", faults: ["restart-redis"] },
  { name: "restart-postgres", faults: ["restart-postgres"] },
  { name: "all", faults: ["kill-stage", "kill-stage", "restart-redis", "restart-postgres"] },
]
const plans = allPlans.filter((p) => options.only === undefined || p.name === options.only)

const site = privateSite(`chaos-${process.pid}`, ...freePorts())
const urls = siteUrls(site, localUser)
const random = mulberry32(options.seed)
const env = (v3: string, prefix: string): NodeJS.ProcessEnv => ({
  ...process.env,
  OLD_DATABASE_URL: urls.db("legacy"),
  PRODUCTS_DATABASE_URL: urls.db(v3),
  REDIS_URL: urls.redis,
  STREAM_PREFIX: prefix,
  LOG_FORMAT: "json",
  LOG_DIR: join(site.dir, "logs"),
  // Many entries in flight, quick claims of a killed stage's entries.
  EXTRACT_BATCH_SIZE: "50",
  HISTORY_BATCH_ROWS: "1000",
  CLAIM_IDLE_MS: "3000",
  RETRY_DELAY: "1",
})

async function migrate(v3: string, faults: FaultKind[], expectedSeconds: number): Promise<{ code: number | null; seconds: number; hit: Fault[]; stderr: string }> {
  await must("scripts/db-migrate.ts", [], env(v3, v3))
  const start = performance.now()
  const m = run("stages/migrate.ts", [], env(v3, v3))
  const hit: Fault[] = []
  let finished = false
  void m.done.then(() => (finished = true))
  // Faults land between 15 % and 70 % of an uninterrupted run's time, in random order, and never
  // before migrate has connected: a server that is down when a person starts migrate is reported
  // at once (exit 3), by design (src/runtime/outage.ts, connect).
  await Promise.race([m.begun, m.done])
  const times = faults.map(() => expectedSeconds * (0.15 + 0.55 * random())).sort((a, b) => a - b)
  const order = [...faults].sort(() => random() - 0.5)
  for (const [i, kind] of order.entries()) {
    const wait = times[i]! * 1000 - (performance.now() - start)
    if (wait > 0) await Promise.race([sleep(wait), m.done])
    if (finished) break
    const at = (performance.now() - start) / 1000
    hit.push({ kind, at, target: await inject(kind, site, m.child.pid!, random) })
  }
  const r = await m.done
  return { code: r.code, seconds: (performance.now() - start) / 1000, hit, stderr: r.stderr }
}

let failures = 0
try {
  startPostgres(site)
  await startRedis(site)
  console.log(`chaos: ${options.products} products (seed ${options.seed}) on PostgreSQL 127.0.0.1:${site.pgPort} and Redis 127.0.0.1:${site.redisPort}, data in ${site.dir}`)
  await must("scripts/seed-legacy.ts", ["--products", String(options.products), "--seed", String(options.seed)], env("v3_ref", "ref"))
  const reference = await migrate("v3_ref", [], 0)
  if (reference.code !== 0) throw new Error(`the uninterrupted reference run failed (exit ${reference.code}): ${reference.stderr.trim()}`)
  console.log(`uninterrupted run: ${reference.seconds.toFixed(1)} s`)
  const lost = new Map<string, number[]>()
  let trial = 0
  for (let round = 0; round < options.rounds; round++) {
    for (const plan of plans) {
      trial += 1
      const v3 = `v3_trial_${trial}`
      const r = await migrate(v3, plan.faults, reference.seconds)
      const differs = r.code === 0 ? await differingTables(urls.db("v3_ref"), urls.db(v3)) : []
      const ok = r.code === 0 && differs.length === 0
      if (!ok) failures += 1
      const extra = r.seconds - reference.seconds
      lost.set(plan.name, [...(lost.get(plan.name) ?? []), extra])
      const faults = r.hit.map((f) => `${f.kind} ${f.target} @${f.at.toFixed(1)}s`).join(", ") || "none (the run ended first)"
      const outcome = r.code !== 0
        ? `FAILED with exit ${r.code}: ${r.stderr.trim().split("\n").at(-1)}`
        : differs.length > 0 ? `DIFFERENT: ${differs.map((d) => `${d.table} ${d.rows[0]} vs ${d.rows[1]} rows`).join(", ")}` : "v3 identical to the reference"
      console.log(`trial ${trial} (${plan.name}): ${faults} -> exit ${r.code} in ${r.seconds.toFixed(1)} s (${extra >= 0 ? "+" : ""}${extra.toFixed(1)} s), ${outcome}`)
    }
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length
  console.log(`chaos: ${trial} trials, ${trial - failures} identical, ${failures} failed or different; time lost per trial: ${[...lost].map(([k, v]) => `${k} ${mean(v) >= 0 ? "+" : ""}${mean(v).toFixed(1)} s`).join(", ")}`)
} catch (err) {
  failures += 1
  console.error(`chaos: ${err instanceof Error ? err.message : String(err)}`)
} finally {
  await stopRedis(site)
  stopPostgres(site)
  // A failed run keeps its servers' logs and databases for a look; a passing one leaves nothing.
  if (failures === 0) rmSync(site.dir, { recursive: true, force: true })
  else console.error(`chaos: the servers' data and logs are kept in ${site.dir}`)
}
process.exit(failures > 0 ? 1 : 0)
