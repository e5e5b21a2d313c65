import { afterAll, beforeAll } from "vitest"
import { stageEnv } from "./cli"
import { expectedV3 } from "./expected"
import { releaseAndCheckLeaks } from "./leaks"
import { createLegacyDatabase } from "./legacy"
import { testPrefix, testRedis } from "./redis"
import { databaseUrl } from "./pg"
import { createV3Database, v3TemplateName } from "./v3"
import { scratchDir } from "./scratch"

/**
 * An end-to-end test file's world: a seeded legacy database of its own, the v3 rows the
 * contract demands for it, and fresh v3 databases and Redis prefixes on demand; afterwards
 * everything is dropped and no connection may be left open.
 */
export function e2eFixture(label: string, products: number, seed: number, defaults: Record<string, string> = {}) {
  const redis = testRedis()
  const logDir = scratchDir(`migrate-${label}-`)
  const dbs: string[] = []
  const prefixes: string[] = []
  const world = {
    redis,
    logDir,
    legacy: { name: "", url: "" },
    /** The migrated v3 template every target is cloned from: the schema as db:migrate leaves it. */
    templateUrl: databaseUrl(v3TemplateName()),
    expected: undefined as unknown as Awaited<ReturnType<typeof expectedV3>>,
    /** A fresh v3 database and key prefix, and the environment of stages pointed at them. */
    async target(extra: Record<string, string> = {}) {
      const v3 = await createV3Database()
      const prefix = testPrefix(label)
      dbs.push(v3.name)
      prefixes.push(prefix)
      const env = stageEnv({ legacyDb: world.legacy.name, v3Db: v3.name, prefix, extra: { LOG_DIR: logDir, ...defaults, ...extra } })
      return { v3, prefix, env }
    },
  }
  beforeAll(async () => {
    world.legacy = await createLegacyDatabase(products, seed)
    dbs.push(world.legacy.name)
    world.expected = await expectedV3(world.legacy.url)
  }, 300_000)
  afterAll(async () => {
    await releaseAndCheckLeaks(redis, prefixes, dbs)
  })
  return world
}
