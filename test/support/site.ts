import { execFileSync } from "node:child_process"
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { freePorts, localUser } from "../../src/local/paths"
import { restartPostgres, startPostgres, stopPostgres } from "../../src/local/postgres"
import { startRedis, stopRedis, type RedisOptions } from "../../src/local/redis"
import { privateSite, type Site, siteUrls } from "../../src/local/site"
import { runCli, stageEnv } from "./cli"

/**
 * A PostgreSQL cluster and a Redis of a test file's own, on free ports, which the file may
 * restart and stop at will without disturbing the services the other test files share. The
 * legacy database is seeded there and the v3 database created with db:migrate, as a user would.
 */
export async function privateServices(label: string, redis: RedisOptions = {}) {
  const [pgPort, redisPort] = freePorts()
  const site: Site = privateSite(`${label}-${process.pid}`, pgPort, redisPort)
  startPostgres(site)
  await startRedis(site, redis)
  const urls = siteUrls(site, localUser)
  return {
    site,
    urls,
    /** The environment of processes pointed at this site's databases and Redis. */
    env(legacyDb: string, v3Db: string, prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
      return {
        ...stageEnv({ prefix, extra }),
        OLD_DATABASE_URL: urls.db(legacyDb),
        PRODUCTS_DATABASE_URL: urls.db(v3Db),
        REDIS_URL: urls.redis,
      }
    },
    async seedLegacy(db: string, products: number, seed: number): Promise<void> {
      const r = await runCli("scripts/seed-legacy.ts", ["--products", String(products), "--seed", String(seed)], { ...stageEnv({}), OLD_DATABASE_URL: urls.db(db) })
      if (r.code !== 0) throw new Error(`seed:legacy failed: ${r.stderr || r.stdout}`)
    },
    async migrateSchema(db: string): Promise<void> {
      const r = await runCli("scripts/db-migrate.ts", [], { ...stageEnv({}), PRODUCTS_DATABASE_URL: urls.db(db) })
      if (r.code !== 0) throw new Error(`db:migrate failed: ${r.stderr || r.stdout}`)
    },
    restartPostgres: () => restartPostgres(site),
    stopPostgres: () => stopPostgres(site),
    startPostgres: () => startPostgres(site),
    stopRedis: () => stopRedis(site),
    startRedis: (opts: RedisOptions = redis) => startRedis(site, opts),
    /** Empties Redis's data directory (it must be stopped): a restart then starts with nothing, as without persistence. */
    wipeRedis: () => rmSync(join(site.dir, "redis"), { recursive: true, force: true }),
    /**
     * Adds server settings (postgresql.conf) and pg_hba.conf lines ahead of the trust rules (e.g.
     * a user that must give its password), then restarts the cluster with them.
     */
    configurePostgres(conf: string, hbaFirst: string[]): void {
      const data = join(site.dir, "pg")
      appendFileSync(join(data, "postgresql.conf"), `\n${conf}\n`)
      const hba = join(data, "pg_hba.conf")
      writeFileSync(hba, `${hbaFirst.join("\n")}\n${readFileSync(hba, "utf8")}`)
      restartPostgres(site)
    },
    psql(db: string, sql: string): string {
      return execFileSync("psql", [urls.db(db), "-Atc", sql], { encoding: "utf8" }).trim()
    },
    async stop(): Promise<void> {
      if ((await stopRedis(site)) !== "redis stopped") await stopRedis(site, "SIGKILL")
      stopPostgres(site)
      rmSync(site.dir, { recursive: true, force: true })
    },
  }
}

export type PrivateServices = Awaited<ReturnType<typeof privateServices>>
