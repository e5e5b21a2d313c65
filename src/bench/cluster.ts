import { spawnSync } from "node:child_process"
import { Redis } from "ioredis"
import { join } from "node:path"
import { localUser, portAnswers, projectRoot } from "../local/paths"
import { serverUsesHugePages } from "../local/huge-pages"
import { postgresDataDir, startPostgres, stopPostgres } from "../local/postgres"
import { startRedis, stopRedis } from "../local/redis"
import { defaultSite, privateSite, type Site, siteUrls } from "../local/site"
import { scanKeys } from "../streams/cluster"
import { withClient } from "./baseline"

const bun = join(projectRoot, "node_modules", ".bin", "bun")

/**
 * A PostgreSQL cluster and Redis the bench runs on: the checkout's tuned local services, or a
 * cluster of its own with PostgreSQL's stock settings (shared_buffers 128MB, default
 * checkpoints, fsync on), as users' servers are.
 */
export interface BenchCluster {
  name: "tuned" | "stock"
  site: Site
  urls: ReturnType<typeof siteUrls>
  /** Whether its PostgreSQL holds shared memory in huge pages (src/local/huge-pages.ts). */
  hugePages: boolean
  env(legacyDb: string, v3Db: string): NodeJS.ProcessEnv
  /** Runs a script of the project to its end; throws with its last line when it fails. */
  script(title: string, file: string, args: string[], env: NodeJS.ProcessEnv): number
  sql<T>(db: string, text: string): Promise<T[]>
  /** Deletes every Redis key of the bench's prefix (runs, streams, dead letters). */
  clearStreams(): Promise<void>
  stop(): Promise<void>
}

export async function benchCluster(name: "tuned" | "stock"): Promise<BenchCluster> {
  let site = defaultSite()
  if (name === "stock") {
    let port = 45_000
    while (portAnswers(port) || portAnswers(port + 1)) port += 2
    site = privateSite("bench-stock", port, port + 1, "stock")
  }
  for (const line of startPostgres(site).split("\n")) console.log(`-- ${name}: ${line}`)
  // Huge pages change what the server's processes pay to touch shared buffers (src/local/huge-pages.ts): say which it got.
  const hugePages = serverUsesHugePages(postgresDataDir(site))
  console.log(`-- ${name}: PostgreSQL's shared memory in huge pages: ${hugePages ? "yes" : "no"}`)
  await startRedis(site)
  const urls = siteUrls(site, localUser)
  return {
    name,
    site,
    urls,
    hugePages,
    env: (legacyDb, v3Db) => ({
      ...process.env,
      OLD_DATABASE_URL: urls.db(legacyDb),
      PRODUCTS_DATABASE_URL: urls.db(v3Db),
      REDIS_URL: urls.redis,
      STREAM_PREFIX: `bench-${name}`,
      LOG_FORMAT: "json",
    }),
    script(title, file, args, env) {
      const start = performance.now()
      const r = spawnSync(bun, [join(projectRoot, file), ...args], { env, cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" })
      const seconds = (performance.now() - start) / 1000
      if (r.status !== 0) throw new Error(`${title} failed with exit ${r.status}: ${(r.stderr || r.stdout).trim().split("\n").at(-1)}`)
      console.log(`-- ${name}: ${title}: ${seconds.toFixed(1)} s`)
      return seconds
    },
    sql: (db, text) => withClient(urls.db(db), async (c) => (await c.query(text)).rows),
    async clearStreams() {
      const redis = new Redis(urls.redis)
      try {
        const keys = await scanKeys(redis, `{bench-${name}}*`)
        for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500))
      } finally {
        redis.disconnect()
      }
    },
    async stop() {
      if (name === "stock") {
        await stopRedis(site)
        stopPostgres(site)
      }
    },
  }
}
