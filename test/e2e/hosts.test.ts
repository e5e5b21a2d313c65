import { createServer } from "node:net"
import { describe, expect, it } from "vitest"
import { runCli, startCli } from "../support/cli"
import { diffTables } from "../support/compare"
import { e2eFixture } from "../support/e2e"
import { actualV3 } from "../support/expected"
import { until } from "../support/until"
import type { StatusDocument } from "../../src/status/document"

const world = e2eFixture("hosts", 600, 19, { EXTRACT_BATCH_SIZE: "40", HISTORY_BATCH_ROWS: "500" })

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** GET /metrics, or "" while nothing answers. */
async function scrape(port: number): Promise<string> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`)
    return r.ok ? await r.text() : ""
  } catch {
    return ""
  }
}

/** The Prometheus text format as series name{labels} → value. */
function series(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue
    const at = line.lastIndexOf(" ")
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

const statusOf = async (env: NodeJS.ProcessEnv) => JSON.parse((await runCli("stages/status.ts", ["--json"], env)).stdout) as StatusDocument

describe("beyond one machine", () => {
  it("runs transform and load-histories on a second host while migrate runs the rest on the first: the same v3, every consumer in status and /metrics", async () => {
    const t = await world.target()
    const onHostB = (stage: string) => startCli(`stages/${stage}.ts`, [], { ...t.env, WORKER_ID: `host-b-${stage}` })
    const port = await freePort()
    const hostB = [onHostB("transform")]
    const run = startCli("stages/migrate.ts", ["--workers", "transform=0,load-histories=0"], { ...t.env, WORKER_ID: "host-a", METRICS_PORT: String(port) })
    let ended = false
    void run.done.then(() => (ended = true))
    // migrate serves /metrics while it runs: one scrape target for both hosts' consumers. The run
    // cannot end before host B's load-histories has read every history entry, so until that
    // copy starts, migrate's /metrics is sure to be up (waiting for a consumer that came and
    // went with a short run was a race this test once lost under CI load).
    await until(async () => {
      if (ended) throw new Error(`migrate ended before /metrics named host B's transform: ${(await run.done).stderr}`)
      return /migrator_stage_consumers\{stage="transform"\} 1/.test(await scrape(port))
    }, "metrics naming host B's transform", 120_000)
    expect(series(await scrape(port)).get('migrator_redis_up')).toBe(1)
    hostB.push(onHostB("load-histories"))
    const r = await run.done
    expect(r.code, r.stderr).toBe(0)
    expect(diffTables(await actualV3(t.v3.url), world.expected.tables)).toEqual([])

    const doc = await statusOf(t.env)
    const consumers = (stage: string) => doc.streams.find((s) => s.group.name === stage)!.group.consumerList.map((c) => c.name)
    expect(consumers("transform")).toEqual(["host-b-transform"])
    expect(consumers("load-histories")).toEqual(["host-b-load-histories"])
    expect(consumers("load-products")).toEqual(["host-a:load-products:0"])
    // After the run, status's own /metrics names host B's load-histories, which outlives it.
    const server = startCli("stages/status.ts", ["--metrics-port", String(port)], t.env)
    await until(async () => /migrator_stage_consumers\{stage="load-histories"\} 1/.test(await scrape(port)), "metrics naming host B's load-histories")
    server.child.kill("SIGINT")
    expect((await server.done).code).toBe(130)
    // Host B's copies outlive the run (no migrate supervises them) and stop cleanly when told.
    for (const p of hostB) p.child.kill("SIGTERM")
    for (const p of hostB) expect((await p.done).code).toBe(130)
  })

  it("serves /metrics from status --metrics-port with the same figures as status --json, and progress counts work done, so a re-run shows 100 %", async () => {
    const t = await world.target()
    expect((await runCli("stages/migrate.ts", [], t.env)).code).toBe(0)
    // Forced to run in full over an up-to-date v3: nothing is written, yet every row is processed.
    const again = await runCli("stages/migrate.ts", ["--full"], t.env)
    expect(again.code, again.stderr).toBe(0)

    const port = await freePort()
    const server = startCli("stages/status.ts", ["--metrics-port", String(port)], t.env)
    await until(async () => (await scrape(port)) !== "", "status to serve /metrics")
    const m = series(await scrape(port))
    const doc = await statusOf(t.env)
    server.child.kill("SIGINT")
    expect((await server.done).code).toBe(130)

    expect(m.get(`migrator_run_info{run="${doc.run!.id}",kind="full",state="done",test_mode="false"}`)).toBe(1)
    expect(m.get(`migrator_run_start_time_seconds{run="${doc.run!.id}"}`)).toBe(Date.parse(doc.run!.startedAt) / 1000)
    for (const s of doc.stages) {
      expect(m.get(`migrator_stage_rows_done{stage="${s.stage}"}`)).toBe(s.done)
      expect(m.get(`migrator_stage_rows_expected{stage="${s.stage}"}`)).toBe(s.expected)
      // Progress is rows processed: a run that wrote nothing is still complete.
      expect(s.expected ?? 0).toBeGreaterThan(0)
      expect(s.done).toBe(s.expected)
    }
    for (const st of doc.streams) {
      expect(m.get(`migrator_stage_pending_entries{stage="${st.group.name}"}`)).toBe(st.group.pending)
      expect(m.get(`migrator_stage_consumers{stage="${st.group.name}"}`)).toBe(st.group.consumers)
    }
    for (const d of doc.deadLetters.byReason) {
      expect(m.get(`migrator_dead_letter_rows{stage="${d.stage}",entity="${d.entity}",reason="${d.reason}"}`)).toBe(d.rows)
    }
    expect(doc.deadLetters.byReason.length).toBeGreaterThan(0)
    expect(m.get('migrator_outcome_rows{entity="products",outcome="loaded",reason=""}')).toBe(doc.counts["products.loaded"])
    expect(m.get('migrator_outcome_rows{entity="products",outcome="rejected",reason="invalid_price"}')).toBe(doc.counts["products.rejected.invalid_price"])
  })

  it("refuses a metrics port already in use with status 2 and one line naming the option", async () => {
    const t = await world.target()
    const port = await freePort()
    const first = startCli("stages/status.ts", ["--metrics-port", String(port)], t.env)
    await until(async () => (await scrape(port)) !== "", "the first server")
    const second = await runCli("stages/status.ts", ["--metrics-port", String(port)], t.env)
    first.child.kill("SIGINT")
    await first.done
    expect(second.code).toBe(2)
    expect(second.stderr.trim().split("\n")).toEqual([`port ${port} (--metrics-port) is in use: choose another port`])
  })
})
