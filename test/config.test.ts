import { describe, expect, it } from "vitest"
import { readSettings, SettingError } from "../src/config/load"
import { stageNames } from "../src/pipeline/stages"
import * as Redacted from "effect/Redacted"
import { runCli, stageEnv } from "./support/cli"

const secret = "s3cr3t-pa55"

describe("settings", () => {
  it("names a missing setting and says what it is for", () => {
    expect(() => readSettings(["oldDatabaseUrl"], {})).toThrow(
      "setting OLD_DATABASE_URL is missing: set it to the legacy (v2) PostgreSQL URL, read only",
    )
  })

  it.each([
    ["MAX_RETRIES", "many", "setting MAX_RETRIES is malformed ('many')"],
    ["MAX_RETRIES", "-1", "expected a whole number >= 1"],
    // Zero deliveries would dead-letter every entry on its first delivery.
    ["MAX_RETRIES", "0", "expected a whole number >= 1"],
    ["TRANSIENT_RETRIES", "-1", "expected a whole number >= 0"],
    ["OUTAGE_TIMEOUT", "0", "expected a whole number >= 1"],
    ["STREAM_PREFIX", "", "setting STREAM_PREFIX is m"],
    ["STREAM_PREFIX", "a}b", "expected letters, digits"],
    ["RETRY_DELAY", "0", "expected a number of seconds > 0"],
    ["EXTRACT_BATCH_SIZE", "1.5", "setting EXTRACT_BATCH_SIZE is malformed ('1.5')"],
    ["TEST_MODE", "perhaps", "setting TEST_MODE is malformed ('perhaps')"],
    ["LOG_FORMAT", "bogus", "setting LOG_FORMAT is malformed ('bogus')"],
    ["SHUTDOWN_GRACE_MS", "soon", "setting SHUTDOWN_GRACE_MS is malformed ('soon')"],
  ])("rejects %s=%s", (env, value, message) => {
    const names = ["maxRetries", "transientRetries", "outageTimeout", "streamPrefix", "retryDelay", "extractBatchSize", "testMode", "logFormat", "shutdownGraceMs"] as const
    expect(() => readSettings(names, { [env]: value })).toThrow(message)
  })

  it.each([
    ["REDIS_URL", "redisUrl", `redis://:${secret}@127.0.0.1:notaport/0`],
    ["OLD_DATABASE_URL", "oldDatabaseUrl", `postgres://migrator:${secret}@legacy host/products`],
  ] as const)("rejects a %s the drivers could not parse, naming it and not echoing it", (env, name, value) => {
    let error: unknown
    try {
      readSettings([name], { [env]: value })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(SettingError)
    expect((error as Error).message).toMatch(new RegExp(`^setting ${env} is malformed.*well-formed URL`))
    expect((error as Error).message).not.toContain(secret)
  })

  it("never echoes a URL, which may hold a password", () => {
    let error: unknown
    try {
      readSettings(["redisUrl"], { REDIS_URL: `http://user:${secret}@host:6379` })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(SettingError)
    expect((error as Error).message).toContain("setting REDIS_URL is malformed")
    expect((error as Error).message).not.toContain(secret)
  })

  it("applies the predecessor's defaults and keeps URLs redacted", () => {
    const s = readSettings(["oldDatabaseUrl", "maxRetries", "retryDelay", "testMode", "excludedPlatforms"], {
      OLD_DATABASE_URL: `postgres://u:${secret}@h/db`,
    })
    expect(s).toMatchObject({ maxRetries: 3, retryDelay: 60, testMode: false, excludedPlatforms: "rocketfy" })
    expect(String(s.oldDatabaseUrl)).not.toContain(secret)
    expect(Redacted.value(s.oldDatabaseUrl)).toContain(secret)
  })
})

describe("every process", () => {
  const stages = [...stageNames, "migrate"]

  it.each(stages)("%s exits with status 2 and one line naming a missing setting", async (stage) => {
    const env = stageEnv({})
    delete env["REDIS_URL"]
    const r = await runCli(`stages/${stage}.ts`, [], env)
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/^setting [A-Z_]+ is missing/)
  })

  it("says which server is unreachable, in one line, without the password, and exits 3", async () => {
    const env = stageEnv({ extra: { REDIS_URL: `redis://user:${secret}@127.0.0.1:1/0` } })
    const r = await runCli("stages/transform.ts", [], env)
    expect(r.code).toBe(3)
    expect(r.stderr.trim()).toMatch(/^cannot reach Redis at 127\.0\.0\.1:1\/0 \(REDIS_URL\): .*npm run services -- start/)
    expect(r.stdout + r.stderr).not.toContain(secret)
  })

  it.each(stages)("%s prints usage with --help and exits 0", async (stage) => {
    const r = await runCli(`stages/${stage}.ts`, ["--help"], stageEnv({}))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Usage: /)
    expect(r.stdout).toContain("REDIS_URL")
  })
})
