import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { Redis } from "ioredis"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli, stageEnv } from "../support/cli"
import { diffTables } from "../support/compare"
import { actualV3, expectedV3, type V3Tables } from "../support/expected"
import { privateServices, type PrivateServices } from "../support/site"
import { scratchDir } from "../support/scratch"

/**
 * Least privilege and secrets, on a PostgreSQL and a Redis of this file's own that ask for
 * passwords: the legacy database is read by a role that may only connect and select, both
 * databases only over TLS (sslmode=require), Redis with requirepass.
 */
const secret = (what: string) => `${what}-S3cret-${randomBytes(4).toString("hex")}`
const passwords = { writer: secret("pg"), reader: secret("rd"), redis: secret("rs") }
const logDir = scratchDir("migrate-security-")
let services: PrivateServices
let expected: V3Tables
let redis: Redis

const url = (user: string, password: string, db: string, query = "?sslmode=require") =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${services.site.pgPort}/${db}${query}`
const redisUrl = (password = passwords.redis, db = 0) => `redis://:${encodeURIComponent(password)}@127.0.0.1:${services.site.redisPort}/${db}`

function env(v3: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...stageEnv({ prefix: `sec-${v3}`, extra: { LOG_DIR: logDir, ...extra } }),
    OLD_DATABASE_URL: url("reader", passwords.reader, "legacy"),
    PRODUCTS_DATABASE_URL: url("writer", passwords.writer, v3),
    REDIS_URL: redisUrl(),
  }
}

async function admin(sql: string, db = "postgres"): Promise<void> {
  const c = new pg.Client({ connectionString: services.urls.db(db) })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

beforeAll(async () => {
  services = await privateServices("security", { password: passwords.redis })
  redis = new Redis(redisUrl(), { protocol: 2 })
  redis.on("error", () => undefined)
  await services.seedLegacy("legacy", 300, 5)
  expected = (await expectedV3(services.urls.db("legacy"))).tables
  for (const v3 of ["v3_a", "v3_b"]) await services.migrateSchema(v3)
  await admin(`CREATE ROLE writer LOGIN SUPERUSER PASSWORD '${passwords.writer}'`)
  await admin(`CREATE ROLE reader LOGIN PASSWORD '${passwords.reader}'`)
  // The legacy role may connect and select, nothing else (PUBLIC's default CONNECT and TEMP go).
  await admin(`REVOKE ALL ON DATABASE legacy FROM PUBLIC; GRANT CONNECT ON DATABASE legacy TO reader`)
  await admin(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader`, "legacy")
  const data = join(services.site.dir, "pg")
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", join(data, "server.key"), "-out", join(data, "server.crt")], { stdio: "ignore" })
  execFileSync("chown", ["postgres:postgres", join(data, "server.key"), join(data, "server.crt")])
  execFileSync("chmod", ["600", join(data, "server.key")])
  services.configurePostgres("ssl = on", [
    "hostnossl all writer,reader 127.0.0.1/32 reject",
    "hostssl all writer,reader 127.0.0.1/32 scram-sha-256",
  ])
}, 300_000)

afterAll(async () => {
  redis.disconnect()
  await services.stop()
})

/** Every value under a key prefix, as text: strings, hashes, lists and streams. */
async function redisText(prefix: string): Promise<string> {
  const keys = await redis.keys(`{${prefix}}*`)
  const parts: string[] = []
  for (const k of keys) {
    const type = await redis.type(k)
    if (type === "string") parts.push(String(await redis.get(k)))
    if (type === "hash") parts.push(JSON.stringify(await redis.hgetall(k)))
    if (type === "list") parts.push(JSON.stringify(await redis.lrange(k, 0, -1)))
    if (type === "stream") parts.push(JSON.stringify(await redis.xrange(k, "-", "+")))
  }
  return parts.join("\n")
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [readFileSync(join(dir, f), "utf8")]))

describe("least privilege and secrets", () => {
  it("migrates with a legacy role that may only connect and select, over TLS only, and no password shows anywhere", async () => {
    const e = env("v3_a")
    const r = await runCli("stages/migrate.ts", [], e)
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(services.urls.db("v3_a")), expected)).toEqual([])
    const status = await runCli("stages/status.ts", ["--json"], e)
    const verify = await runCli("stages/verify.ts", ["--full"], e)
    const dlq = await runCli("stages/dlq.ts", ["list", "--payload"], e)
    expect([status.code, verify.code, dlq.code]).toEqual([0, 0, 0])
    const seen = [r, status, verify, dlq].flatMap((x) => [x.stdout, x.stderr]).concat(files(logDir), await redisText("sec-v3_a")).join("\n")
    expect(seen.length).toBeGreaterThan(1000)
    for (const p of Object.values(passwords)) expect(seen).not.toContain(p)
  })

  it("says a wrong password was refused, in one line naming the setting, and never prints it", async () => {
    const wrongPg = secret("wrong")
    const pgRefused = await runCli("stages/migrate.ts", [], { ...env("v3_b"), PRODUCTS_DATABASE_URL: url("writer", wrongPg, "v3_b") })
    expect(pgRefused.code).toBe(2)
    expect(pgRefused.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^the v3 database at 127\.0\.0\.1:\d+\/v3_b refused the credentials in PRODUCTS_DATABASE_URL: fix the user or password/)])
    const wrongRedis = secret("wrong")
    const redisRefused = await runCli("stages/migrate.ts", [], { ...env("v3_b"), REDIS_URL: redisUrl(wrongRedis) })
    expect(redisRefused.code).toBe(2)
    expect(redisRefused.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Redis at 127\.0\.0\.1:\d+\/0 refused the credentials in REDIS_URL: fix the user or password/)])
    const out = [pgRefused, redisRefused].flatMap((x) => [x.stdout, x.stderr]).concat(files(logDir)).join("\n")
    for (const p of [wrongPg, wrongRedis, ...Object.values(passwords)]) expect(out).not.toContain(p)
  })

  it("refuses a Redis database index the server does not have, as a setting error", async () => {
    const r = await runCli("stages/status.ts", [], { ...env("v3_b"), REDIS_URL: redisUrl(passwords.redis, 99) })
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Redis at 127\.0\.0\.1:\d+\/99 has no database 99 \(REDIS_URL\)/)])
  })

  it("refuses a Redis that may evict keys, and warns about one that does not persist", async () => {
    await redis.config("SET", "maxmemory-policy", "allkeys-lru")
    const evicting = await runCli("stages/migrate.ts", [], env("v3_b"))
    await redis.config("SET", "maxmemory-policy", "noeviction")
    expect(evicting.code).toBe(2)
    expect(evicting.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Redis at \S+ may evict keys \(maxmemory-policy allkeys-lru\).*set maxmemory-policy to noeviction/)])
    await redis.config("SET", "appendonly", "no")
    const volatile = await runCli("stages/migrate.ts", [], env("v3_b"))
    await redis.config("SET", "appendonly", "yes")
    expect(volatile.code, volatile.stderr).toBe(0)
    expect(volatile.stdout.split("\n").filter((l) => l.includes("has no append-only file"))).toHaveLength(1)
  })
})
