import { spawnSync } from "node:child_process"
import { join } from "node:path"
import pg from "pg"
import { localUrls, projectRoot } from "../src/local/paths"
import { startPostgres } from "../src/local/postgres"
import { startRedis } from "../src/local/redis"

const usage = `Usage: npm run demo -- [--products N] [--seed S] [--fresh]

The whole job on the local embedded default, end to end:
  1. starts a local PostgreSQL 15 and Redis (npm run services -- start)
  2. creates a demo legacy database with every quirk of the contract (seed:legacy; skipped when already there)
  3. creates and migrates the v3 database (db:migrate)
  4. runs the migration (migrate): full the first time, incremental afterwards
  5. shows status and verifies v3 against the legacy database (verify --full)

  --products N   demo catalog size (default 20000)
  --seed S       demo data seed (default 1)
  --fresh        drop the demo v3 database and the demo's Redis keys first`

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  const value = i >= 0 ? process.argv[i + 1] : undefined
  if (i >= 0 && (value === undefined || !/^\d+$/.test(value))) {
    console.error(`${name} needs a whole number, e.g. ${name} ${fallback}`)
    process.exit(2)
  }
  return value ?? fallback
}

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(usage)
  process.exit(0)
}
const products = option("--products", "20000")
const seed = option("--seed", "1")
const env = {
  ...process.env,
  OLD_DATABASE_URL: localUrls.legacy,
  PRODUCTS_DATABASE_URL: localUrls.v3,
  REDIS_URL: localUrls.redis,
  STREAM_PREFIX: "demo",
}

function step(title: string, script: string, args: string[] = [], okCodes = [0]): void {
  console.log(`\n== ${title}`)
  const r = spawnSync(process.execPath, [join(projectRoot, script), ...args], { stdio: "inherit", env, cwd: projectRoot })
  if (!okCodes.includes(r.status ?? 1)) {
    console.error(`demo stopped: '${title}' failed (exit ${r.status ?? r.signal}); fix the error above and run npm run demo again`)
    process.exit(r.status ?? 1)
  }
}

async function fresh(): Promise<void> {
  const admin = new pg.Client({ connectionString: localUrls.admin })
  await admin.connect()
  await admin.query("DROP DATABASE IF EXISTS v3_demo WITH (FORCE)")
  await admin.end()
  const { Redis } = await import("ioredis")
  const redis = new Redis(localUrls.redis)
  const keys = await redis.keys("{demo}:*")
  if (keys.length > 0) await redis.del(...keys)
  redis.disconnect()
}

console.log("== local services")
console.log(startPostgres())
console.log(await startRedis())
if (process.argv.includes("--fresh")) await fresh()
step(`demo legacy database (${products} products, seed ${seed})`, "scripts/seed-legacy.ts", ["--products", products, "--seed", seed])
step("v3 schema", "scripts/db-migrate.ts")
step("migration", "stages/migrate.ts")
step("status", "stages/status.ts")
step("verification", "stages/verify.ts", ["--full"])
console.log(`\nDone. The databases stay up: legacy ${localUrls.legacy.replace(/\/\/[^@]*@/, "//")}, v3 ${localUrls.v3.replace(/\/\/[^@]*@/, "//")}.
Point the tools at them with: eval "$(npm run -s services -- env)" (stream prefix: STREAM_PREFIX=demo)`)
