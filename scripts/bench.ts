import { execFileSync, spawn, spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Redis } from "ioredis"
import pg from "pg"
import { localUrls, projectRoot } from "../src/local/paths"
import { startPostgres } from "../src/local/postgres"
import { startRedis } from "../src/local/redis"

const usage = `Usage: npm run bench -- [--products N] [--seed S] [--workers S=N,...] [--no-baseline] [--no-daily]

Measures, on the local services, in one run: seeding a legacy database of N products
(default 400000), a full migration into a fresh v3 database, and two daily (incremental) runs,
each from that full run's v3 state after one simulated day of legacy changes:
  quiet day  ~1% of the products change (seed:legacy --apply-changes --fraction 0.001 --scrape-share 0.001)
  busy day   1% edited and the day's scrape reaching 85% of recently active products, about half
             the catalog (--fraction 0.01 --scrape-share 0.85)
Peak memory (RSS) of every stage process and of Redis is sampled while the full migration runs.
Figures are quoted as ratios against a baseline measured in the same run: PostgreSQL copying the
legacy history table into an indexed table of its own (the floor for writing that many rows here).
--no-baseline and --no-daily skip those steps while iterating on one of the others.
Results also go to bench-results/<time>.json.`

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback
}
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(usage)
  process.exit(0)
}
{
  const valued = new Set(["--products", "--seed", "--workers"])
  const switches = new Set(["--no-baseline", "--no-daily"])
  const argv = process.argv.slice(2)
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (valued.has(a) && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) i++
    else if (!switches.has(a)) {
      console.error(`unknown or incomplete argument '${a}': see npm run bench -- --help`)
      process.exit(2)
    }
  }
}
const products = arg("--products", "400000")
const seed = arg("--seed", "1")
const workers = arg("--workers", "")
const base = localUrls.admin.replace(/\/postgres$/, "")
const legacyDb = `bench_legacy_${products}_${seed}`
const dailyDb = `bench_legacy_daily`
const v3Db = "bench_v3"
const v3Snapshot = "bench_v3_full"
const env = (legacy: string) => ({
  ...process.env,
  OLD_DATABASE_URL: `${base}/${legacy}`,
  PRODUCTS_DATABASE_URL: `${base}/${v3Db}`,
  REDIS_URL: localUrls.redis,
  STREAM_PREFIX: "bench",
  LOG_FORMAT: "json",
})
const bun = join(projectRoot, "node_modules", ".bin", "bun")

async function admin(sql: string, db = "postgres"): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: `${base}/${db}` })
  await c.connect()
  try {
    return await c.query(sql)
  } finally {
    await c.end()
  }
}

function timed(title: string, script: string, args: string[], e: NodeJS.ProcessEnv): number {
  const start = performance.now()
  const r = spawnSync(bun, [join(projectRoot, script), ...args], { env: e, cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" })
  const seconds = (performance.now() - start) / 1000
  const out = r.stdout.split("\n").filter((l) => l && !l.startsWith("{")).join("\n")
  if (out) console.log(out)
  if (r.status !== 0) throw new Error(`${title} failed with exit ${r.status}`)
  console.log(`-- ${title}: ${seconds.toFixed(1)} s`)
  return seconds
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number | string): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * Runs migrate while sampling the peak RSS of each stage process (by stage) and Redis's memory,
 * and the CPU time of each stage process, of the PostgreSQL backends serving each stage (by
 * application_name) and of Redis: where the machine's two cores went.
 */
async function migrateWithPeaks(e: NodeJS.ProcessEnv, args: string[]) {
  const redis = new Redis(localUrls.redis)
  const peaks: Record<string, number> = {}
  const cpu = new Map<string, { label: string; seconds: number }>()
  const admin = new pg.Client({ connectionString: localUrls.admin })
  await admin.connect()
  const redisCpu = async () => {
    const info = await redis.info("cpu")
    return Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0)
  }
  const redisCpuStart = await redisCpu()
  const child = spawn(bun, [join(projectRoot, "stages/migrate.ts"), ...args], { env: e, cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] })
  let stdout = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
  const start = performance.now()
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
  let running = true
  void exited.then(() => (running = false))
  const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024
  while (running) {
    try {
      peaks["migrate"] = Math.max(peaks["migrate"] ?? 0, rss(child.pid!))
      const kids = execFileSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).split("\n").filter(Boolean)
      for (const pid of kids) {
        const stage = /stages\/([a-z-]+)\.ts/.exec(readFileSync(`/proc/${pid}/cmdline`, "utf8"))?.[1] ?? "other"
        peaks[stage] = Math.max(peaks[stage] ?? 0, rss(Number(pid)))
        // An exited, not yet reaped process has no command line any more: keep its first label.
        cpu.set(`p${pid}`, { label: cpu.get(`p${pid}`)?.label ?? stage, seconds: cpuSeconds(pid) })
      }
      const backends = await admin.query<{ pid: number; app: string }>(
        "SELECT pid, application_name AS app FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
      )
      for (const b of backends.rows) {
        const label = `postgres for ${b.app.split(":")[0] || "other"}`
        cpu.set(`b${b.pid}`, { label: cpu.get(`b${b.pid}`)?.label ?? label, seconds: cpuSeconds(b.pid) })
      }
    } catch {
      // A process ended between listing and reading: next sample.
    }
    const mem = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1] ?? 0)
    peaks["redis"] = Math.max(peaks["redis"] ?? 0, mem)
    await new Promise((r) => setTimeout(r, 500))
  }
  const code = await exited
  const byLabel: Record<string, number> = { redis: (await redisCpu()) - redisCpuStart }
  for (const { label, seconds } of cpu.values()) byLabel[label] = (byLabel[label] ?? 0) + seconds
  await admin.end()
  redis.disconnect()
  if (code !== 0) throw new Error(`migrate failed with exit ${code}`)
  const seconds = (performance.now() - start) / 1000
  console.log(stdout.split("\n").filter((l) => l && !l.startsWith("{")).join("\n"))
  const planned = /changes\s+([\d,]+) groups \(([\d,]+) products\)/.exec(stdout)
  const changedProducts = planned ? Number(planned[2]!.replace(/,/g, "")) : Number.NaN
  return { seconds, peaks, cpu: byLabel, changedProducts }
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`

startPostgres()
await startRedis()
console.log(`== seeding ${legacyDb}`)
const seedSeconds = timed("seed:legacy", "scripts/seed-legacy.ts", ["--products", products, "--seed", seed], env(legacyDb))
const historyRows = Number((await admin("SELECT count(*) AS n FROM history", legacyDb)).rows[0].n)

let baseline = Number.NaN
if (!process.argv.includes("--no-baseline")) {
  console.log("== baseline: PostgreSQL copies the history table into an indexed table")
  await admin("DROP TABLE IF EXISTS bench_copy", legacyDb)
  const copyStart = performance.now()
  await admin("CREATE TABLE bench_copy (LIKE history INCLUDING ALL); INSERT INTO bench_copy SELECT * FROM history", legacyDb)
  baseline = (performance.now() - copyStart) / 1000
  await admin("DROP TABLE bench_copy", legacyDb)
  console.log(`-- baseline copy of ${historyRows} rows: ${baseline.toFixed(1)} s`)
}

console.log("== full migration")
await admin(`DROP DATABASE IF EXISTS ${v3Db} WITH (FORCE)`)
const redis = new Redis(localUrls.redis)
const old = await redis.keys("{bench}:*")
if (old.length > 0) await redis.del(...old)
redis.disconnect()
timed("db:migrate", "scripts/db-migrate.ts", [], env(legacyDb))
const full = await migrateWithPeaks(env(legacyDb), workers ? ["--workers", workers] : [])

const days = process.argv.includes("--no-daily")
  ? []
  : [
      { name: "quiet", fraction: "0.001", scrapeShare: "0.001" },
      { name: "busy", fraction: "0.01", scrapeShare: "0.85" },
    ]
if (days.length > 0) {
  await admin(`DROP DATABASE IF EXISTS ${v3Snapshot} WITH (FORCE)`)
  await admin(`CREATE DATABASE ${v3Snapshot} TEMPLATE ${v3Db}`)
}
const daily: Record<string, { seconds: number; changedProducts: number; cpu: Record<string, number> }> = {}
for (const day of days) daily[day.name] = await dailyRun(day)

/** One simulated day on a copy of the legacy database, migrated incrementally into a copy of the full run's v3. */
async function dailyRun(day: { name: string; fraction: string; scrapeShare: string }) {
  console.log(`== daily run, ${day.name} day (--fraction ${day.fraction} --scrape-share ${day.scrapeShare})`)
  await admin(`DROP DATABASE IF EXISTS ${dailyDb} WITH (FORCE)`)
  await admin(`CREATE DATABASE ${dailyDb} TEMPLATE ${legacyDb}`)
  await admin(`DROP DATABASE IF EXISTS ${v3Db} WITH (FORCE)`)
  await admin(`CREATE DATABASE ${v3Db} TEMPLATE ${v3Snapshot}`)
  // A database comment (where seed:legacy records what it generated) is not copied with the template.
  const comment = (await admin(`SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = '${legacyDb}'`)).rows[0].c as string
  await admin(`COMMENT ON DATABASE ${dailyDb} IS '${comment.replace(/'/g, "''")}'`)
  timed("seed:legacy --apply-changes", "scripts/seed-legacy.ts", ["--apply-changes", "--fraction", day.fraction, "--scrape-share", day.scrapeShare], env(dailyDb))
  const r = await migrateWithPeaks(env(dailyDb), workers ? ["--workers", workers] : [])
  return { seconds: r.seconds, changedProducts: r.changedProducts, cpu: r.cpu }
}

const result = {
  products: Number(products),
  historyRows,
  seedSeconds,
  baselineCopySeconds: baseline,
  fullSeconds: full.seconds,
  fullOverBaseline: full.seconds / baseline,
  productsPerMinute: (Number(products) / full.seconds) * 60,
  predecessorProductsPerMinute: 1000,
  peakBytes: full.peaks,
  cpuSeconds: full.cpu,
  daily: Object.fromEntries(
    Object.entries(daily).map(([name, d]) => [name, { ...d, overFull: d.seconds / full.seconds, changedShare: d.changedProducts / Number(products) }]),
  ),
}
console.log(`
products ${products}, history rows ${historyRows}
seed:legacy            ${seedSeconds.toFixed(1)} s
baseline (PG copy)     ${baseline.toFixed(1)} s
full migration         ${full.seconds.toFixed(1)} s = ${result.fullOverBaseline.toFixed(2)} × baseline, ${Math.round(result.productsPerMinute)} products/min (predecessor: 1,000)
${Object.entries(result.daily).map(([name, d]) => `daily run, ${name} day`.padEnd(23) + `${d.seconds.toFixed(1)} s = ${(d.overFull * 100).toFixed(1)} % of the full run, ${(d.changedShare * 100).toFixed(1)} % of the products re-migrated`).join("\n")}
peak memory            ${Object.entries(full.peaks).map(([k, v]) => `${k} ${mb(v)}`).join(", ")}
cpu seconds (full)     ${Object.entries(full.cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(", ")}`)
mkdirSync(join(projectRoot, "bench-results"), { recursive: true })
writeFileSync(join(projectRoot, "bench-results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify(result, null, 2))
