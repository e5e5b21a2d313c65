import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { inTransaction } from "../../src/db/connect"
import { copyOut, copyQueryInto, copyQueryOn } from "../../src/db/copy"
import { cursorChunks } from "../../src/db/cursor"
import { keyBatches } from "../../src/extract/batches"
import { historyDay } from "../../src/extract/sql"
import { parseHistoryDay } from "../../src/mapping/dates"
import { classify } from "../../src/runtime/retry"
import { cutProxy } from "../support/cut-proxy"
import { settledConnections } from "../support/leaks"
import { createDatabase, dropDatabase, queryRows } from "../support/pg"
import { until } from "../support/until"

/**
 * The two ways whole tables are read: the server-side cursor (extract's key batches, verify) and
 * COPY from one server into another (the incremental plan's signatures).
 */
let db: { name: string; url: string }
let pool: pg.Pool

beforeAll(async () => {
  db = await createDatabase("t_cursor")
  pool = new pg.Pool({ connectionString: db.url, max: 2 })
  // As openPool does (src/db/connect.ts): a cut connection's 'error' must not end the process.
  pool.on("error", () => undefined)
  pool.on("connect", (client) => client.on("error", () => undefined))
})

afterAll(async () => {
  await pool.end()
  expect(await settledConnections([db.name])).toBe(0)
  await dropDatabase(db.name)
})

const series = "SELECT g FROM generate_series(1, $1::int) g ORDER BY g"

describe("cursorChunks", () => {
  it("walks a whole result in chunks and returns its connection to the pool", async () => {
    const seen: number[] = []
    for await (const rows of cursorChunks<{ g: number }>(pool, series, [2_500], 1_000)) seen.push(rows.length)
    expect(seen).toEqual([1_000, 1_000, 500])
    expect(pool.idleCount).toBe(1)
  })

  it("fails with an outage error, instead of hanging, when the server cuts its connection mid-walk", async () => {
    const walk = async () => {
      for await (const rows of cursorChunks<{ g: number }>(pool, series, [100_000], 10)) {
        if (rows[0]!.g === 1) {
          // What a PostgreSQL restart does to every connection: its backend is terminated.
          await queryRows(db.url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [db.name])
          await new Promise((r) => setTimeout(r, 200))
        }
      }
    }
    // pg-cursor's close() on a cut connection never settles: the walk must not call it.
    const outcome = await Promise.race([walk().then(() => "finished", (err: unknown) => err), new Promise((r) => setTimeout(() => r("hung"), 5_000))])
    expect(outcome).toBeInstanceOf(Error)
    expect(classify(outcome)).toBe("outage")
    // The cut connection is discarded, not handed to the next walk.
    const after: number[] = []
    for await (const rows of cursorChunks<{ g: number }>(pool, series, [5], 10)) after.push(...rows.map((r) => r.g))
    expect(after).toEqual([1, 2, 3, 4, 5])
  })

  it("fails with an outage error, instead of hanging, when the connection dies between the result's end and ReadyForQuery", async () => {
    // pg-cursor marks itself done on CommandComplete and then ignores the connection's error,
    // so a read waiting for the ReadyForQuery a restarted server never sends would wait forever.
    const proxy = await cutProxy(Number(new URL(db.url).port))
    const viaProxy = new pg.Pool({ connectionString: Object.assign(new URL(db.url), { port: String(proxy.port) }).toString(), max: 1 })
    viaProxy.on("error", () => undefined)
    viaProxy.on("connect", (client) => client.on("error", () => undefined))
    try {
      const walk = async () => {
        const seen: number[] = []
        for await (const rows of cursorChunks<{ g: number }>(viaProxy, series, [5], 10)) seen.push(...rows.map((r) => r.g))
        return seen
      }
      expect(await walk()).toEqual([1, 2, 3, 4, 5])
      proxy.armCutAfterSelectComplete()
      const outcome = await Promise.race([walk().then(() => "finished", (err: unknown) => err), new Promise((r) => setTimeout(() => r("hung"), 5_000))])
      expect(outcome).toBeInstanceOf(Error)
      expect(classify(outcome)).toBe("outage")
      expect(await walk()).toEqual([1, 2, 3, 4, 5])
    } finally {
      // Bounded: a walk that hung keeps its client checked out, and end() would wait for it.
      await Promise.race([viaProxy.end(), new Promise((r) => setTimeout(r, 1_000))])
      await proxy.close()
    }
  })

  it("discards its connection when the caller stops early, leaving no open transaction behind", async () => {
    for await (const rows of cursorChunks<{ g: number }>(pool, series, [10_000], 100)) {
      expect(rows).toHaveLength(100)
      break
    }
    const open = await queryRows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'", [db.name])
    expect(open[0]!.n).toBe(0)
  })
})

describe("keyBatches", () => {
  // 40 keys of two products each, in key order: (k01, u01a), (k01, u01b), (k02, …), …
  const pairs = `SELECT 'k' || lpad(g::text, 2, '0') AS external_id, 'u' || lpad(g::text, 2, '0') || s AS uuid
                 FROM generate_series(1, 40) g, unnest(ARRAY['a', 'b']) s ORDER BY 1, 2`
  const sizes = async (rampUp: boolean) => {
    const batches = []
    for await (const b of keyBatches(pool, pairs, [], 16, { rampUp })) batches.push(b)
    expect(batches.flatMap((b) => b.keys)).toEqual(Array.from({ length: 40 }, (_, i) => `k${String(i + 1).padStart(2, "0")}`))
    // A group is never split: each batch holds both products of each of its keys.
    for (const b of batches) expect(b.uuids.length).toBe(2 * b.keys.length)
    return batches.map((b) => b.uuids.length)
  }

  it("cuts whole groups into batches of the given number of products", async () => {
    expect(await sizes(false)).toEqual([16, 16, 16, 16, 16])
  })

  it("ramps up for a daily plan: an eighth, a quarter and a half of a batch first, so transform starts sooner", async () => {
    expect(await sizes(true)).toEqual([2, 4, 8, 16, 16, 16, 16, 2])
  })
})

describe("copyQueryInto", () => {
  const withTarget = async <T>(fn: (target: pg.PoolClient) => Promise<T>): Promise<T> => {
    const target = await pool.connect()
    try {
      await target.query("BEGIN")
      await target.query("CREATE TEMP TABLE sink (k text, n int) ON COMMIT DROP")
      return await fn(target)
    } finally {
      await target.query("ROLLBACK").catch(() => undefined)
      target.release()
    }
  }

  it("copies a query's rows into a table exactly, whatever characters their text holds", async () => {
    const awkward = ["tab\there", "back\\slash", "new\nline", "ñandú ✓", "", "\\N", "comma,{brace}"]
    await queryRows(db.url, "CREATE TABLE IF NOT EXISTS awkward AS SELECT k, n::int FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n)", [awkward])
    const rows = await withTarget(async (target) => {
      await copyQueryInto(pool, "SELECT k, n FROM awkward", target, "sink")
      return (await target.query<{ k: string }>("SELECT k FROM sink ORDER BY n")).rows
    })
    expect(rows.map((r) => r.k)).toEqual(awkward)
  })

  it("runs its query under the settings given for it alone: the connection returns to the pool without them", async () => {
    const server = (await pool.query<{ w: string }>("SELECT current_setting('work_mem') AS w")).rows[0]!.w
    const seen = await withTarget(async (target) => {
      await copyQueryInto(pool, "SELECT current_setting('work_mem'), 1", target, "sink", { setup: "SET LOCAL work_mem = '77MB'" })
      return (await target.query<{ k: string }>("SELECT k FROM sink")).rows.map((r) => r.k)
    })
    expect(seen).toEqual(["77MB"])
    // Both of the pool's connections at once, the copy's among them.
    const after = await Promise.all([0, 1].map(() => pool.query<{ w: string }>("SELECT current_setting('work_mem') AS w, pg_sleep(0.05)")))
    expect(after.map((r) => r.rows[0]!.w)).toEqual([server, server])
  })

  it("fails with an outage error, instead of hanging, when the source server cuts its connection mid-copy", async () => {
    const outcome = await withTarget(async (target) => {
      const copying = copyQueryInto(pool, "SELECT md5(g::text), g FROM generate_series(1, 20000000) g", target, "sink").then(() => "finished", (err: unknown) => err)
      // Cut it once the copy runs (a slow machine may take a while to start it).
      const terminate = "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'COPY (SELECT md5%'"
      await until(async () => (await queryRows<{ cut: boolean }>(db.url, terminate, [db.name])).length > 0, "the copy to start", 20_000)
      return Promise.race([copying, new Promise((r) => setTimeout(() => r("hung"), 5_000))])
    })
    expect(outcome).toBeInstanceOf(Error)
    expect(classify(outcome)).toBe("outage")
  })
})

describe("copyQueryOn, in a transaction of the caller's", () => {
  it("fails the transaction promptly when the target refuses a row mid-copy, and the source connection does not go back to the pool", async () => {
    const target = await pool.connect()
    try {
      await target.query("BEGIN")
      await target.query("CREATE TEMP TABLE sink (n int) ON COMMIT DROP")
      // The source still has rows to send when the target fails: a ROLLBACK would queue behind them.
      const copying = inTransaction(pool, (session) => copyQueryOn(session, "SELECT CASE WHEN g = 10 THEN 'x' ELSE g::text END FROM generate_series(1, 2000000) g", target, "sink"))
        .then(() => "finished", (err: unknown) => err)
      const outcome = await Promise.race([copying, new Promise((r) => setTimeout(() => r("hung"), 10_000))])
      expect(outcome).toBeInstanceOf(Error)
      expect(String(outcome)).toMatch(/invalid input syntax for type integer/)
    } finally {
      await target.query("ROLLBACK").catch(() => undefined)
      target.release()
    }
    // The pool's two connections serve queries again, the broken one replaced.
    const after = await Promise.all([0, 1].map(() => pool.query<{ n: number }>("SELECT 1 AS n, pg_sleep(0.05)")))
    expect(after.map((r) => r.rows[0]!.n)).toEqual([1, 1])
  })
})

describe("extract's comparison form of a legacy history date (historyDay)", () => {
  it("is the date rule 1 reads from every accepted shape, in the order a JavaScript comparison gives", async () => {
    const texts = [
      "2024-03-05", "05/03/2024", "2024-03-05T10:00:00Z", "2024-03-05 10:00", "2024-02-29", "31/12/2099", "01/01/2015",
      "2024-02-30", "31/02/2024", "2024-3-5", "5/3/2024", "", "garbage", "2024-03-05x", "1999-12-31", "2100-01-01", "05-03-2024", "ñ2024-03-0",
    ]
    const rows = await queryRows<{ t: string; day: string }>(db.url, `SELECT t, ${historyDay("t")} AS day FROM unnest($1::text[]) AS t`, [texts])
    for (const { t, day } of rows) {
      const parsed = parseHistoryDay(t)
      if (parsed !== null) expect(day, t).toBe(parsed.date)
    }
    const sorted = await queryRows<{ day: string }>(db.url, `SELECT ${historyDay("t")} AS day FROM unnest($1::text[]) AS t ORDER BY 1`, [texts])
    const days = sorted.map((r) => r.day)
    expect(days).toEqual([...days].sort())
  })
})

describe("copyOut", () => {
  it("returns a query's whole COPY text and its connection to the pool", async () => {
    const client = await pool.connect()
    try {
      expect(await copyOut(client, "COPY (SELECT g, 'a\tb' FROM generate_series(1, 3) g) TO STDOUT")).toBe("1\ta\\tb\n2\ta\\tb\n3\ta\\tb\n")
    } finally {
      client.release()
    }
  })

  it("fails with an outage error, instead of hanging, when the server cuts its connection mid-copy", async () => {
    const client = await pool.connect()
    let broken: unknown
    try {
      const copying = copyOut(client, "COPY (SELECT md5(g::text) FROM generate_series(1, 50000000) g) TO STDOUT").then(() => "finished", (err: unknown) => err)
      const terminate = "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'COPY (SELECT md5%'"
      await until(async () => (await queryRows<{ cut: boolean }>(db.url, terminate, [db.name])).length > 0, "the copy to start", 20_000)
      const outcome = await Promise.race([copying, new Promise((r) => setTimeout(() => r("hung"), 10_000))])
      broken = outcome
      expect(outcome).toBeInstanceOf(Error)
      expect(classify(outcome)).toBe("outage")
    } finally {
      client.release(broken instanceof Error ? broken : true)
    }
  })
})
