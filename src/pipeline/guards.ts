import { hostname } from "node:os"
import type { Redis } from "ioredis"
import type pg from "pg"
import type { Logger } from "../log/logger"
import { ExitCode, UserFacingError } from "../runtime/errors"
import { processAlive } from "../runtime/pids"
import { sleep } from "../runtime/sleep"
import { SUPERVISOR_TTL_MS, type SupervisorId } from "../supervisor/lease"
import type { StreamKeys } from "../streams/keys"
import type { Stage } from "./stages"
import { Lease } from "../streams/lease"

const CHECK_EVERY_MS = 2_000
const NAME_TTL_MS = 15_000

/** Whether `run` was started against this v3 database: every run is recorded where it started. */
export async function runBelongsTo(v3: pg.Pool, run: string): Promise<boolean> {
  return ((await v3.query("SELECT 1 FROM migration.runs WHERE id = $1", [run])).rowCount ?? 0) > 0
}

export class StaleWriterError extends UserFacingError {
  constructor(run: string) {
    super(
      `run ${run} was started against another v3 database than this process's PRODUCTS_DATABASE_URL: stopping without writing; ` +
        "start stage copies with the settings of the migrate that runs the pipeline",
    )
  }
}

/**
 * The checks a stage copy makes between batches, so it never works for the wrong run or the
 * wrong database, and never outlives the migrate that started it:
 *   - its consumer name is its own (a lease on it; two processes with one WORKER_ID would
 *     steal each other's pending entries);
 *   - started by migrate (MIGRATOR_SUPERVISOR): its migrate still runs (its parent process, and
 *     the supervisor lease holding the same token);
 *   - with a v3 database: the current run was started against that database;
 *   - working for one run (extract): that run is still the pipeline's run.
 */
export class StageGuards {
  private lastCheck = 0
  private supervisorMissingSince: number | undefined
  private readonly parent = process.ppid
  private readonly knownRuns = new Set<string>()
  private readonly name: Lease

  constructor(
    private readonly d: {
      client: Redis
      keys: StreamKeys
      log: Logger
      stage: Stage
      consumerName: string
      prefix: string
      supervisorToken?: string | undefined
      v3?: pg.Pool | undefined
      /** The run this process works for (extract): it stops once another run replaced it. */
      run?: string | undefined
    },
  ) {
    this.name = new Lease(d.client, d.keys.consumerName(d.stage, d.consumerName), `${hostname()}:${process.pid}`, NAME_TTL_MS)
  }

  async start(): Promise<void> {
    // Started by migrate, the holder is most likely a copy a killed migrate left behind: it sees
    // its migrate gone within CHECK_EVERY_MS of its batch and stops, so wait for it a while.
    const deadline = Date.now() + (this.d.supervisorToken ? NAME_TTL_MS : 0)
    let waiting = false
    for (;;) {
      if (await this.name.acquire()) return
      const holder = (await this.name.holder()) ?? ""
      const [host, pid] = holder.split(":")
      // A previous copy under this name that died on this host (migrate restarts it under the same name).
      if (host === hostname() && !processAlive(Number(pid))) {
        await this.d.client.del(this.name.key)
        continue
      }
      if (Date.now() >= deadline) {
        throw new UserFacingError(
          `another process (${holder || "unknown"}) runs ${this.d.stage} as ${this.d.consumerName} in STREAM_PREFIX=${this.d.prefix}: give each copy its own WORKER_ID`,
          ExitCode.usage,
        )
      }
      if (!waiting) this.d.log.info({ holder }, `waiting up to ${NAME_TTL_MS / 1000} s for the previous copy (${holder}) of ${this.d.consumerName} to stop`)
      waiting = true
      await sleep(250)
    }
  }

  async stop(): Promise<void> {
    await this.name.release().catch(() => undefined)
  }

  /** Between batches: "stop" when the supervisor is gone; throws when working on would be wrong. */
  async between(): Promise<"continue" | "stop"> {
    if (Date.now() - this.lastCheck < CHECK_EVERY_MS) return "continue"
    this.lastCheck = Date.now()
    if (!(await this.name.renew())) await this.name.acquire()
    if (this.d.supervisorToken && (await this.supervisorGone())) return "stop"
    const run = await this.d.client.hget(this.d.keys.run, "id")
    if (this.d.run && run !== this.d.run) {
      this.d.log.warn({ run: this.d.run, current: run }, `run ${this.d.run} is no longer the pipeline's run${run ? ` (now ${run})` : " (Redis lost it)"}: stopping`)
      return "stop"
    }
    if (run) await this.assertRunHere(run)
    return "continue"
  }

  /** Throws StaleWriterError unless `run` was started against this process's v3 database. */
  async assertRunHere(run: string): Promise<void> {
    if (!this.d.v3 || this.knownRuns.has(run)) return
    if (!(await runBelongsTo(this.d.v3, run))) throw new StaleWriterError(run)
    this.knownRuns.add(run)
  }

  private async supervisorGone(): Promise<boolean> {
    if (process.ppid !== this.parent) {
      this.d.log.warn("migrate, which started this stage, is gone: stopping after this batch")
      return true
    }
    const raw = await this.d.client.get(this.d.keys.supervisor)
    let token: string | undefined
    try {
      token = (JSON.parse(raw ?? "null") as SupervisorId | null)?.token
    } catch {
      token = undefined
    }
    if (token === this.d.supervisorToken) {
      this.supervisorMissingSince = undefined
      return false
    }
    if (token !== undefined) {
      this.d.log.warn("another migrate took over this pipeline: stopping after this batch")
      return true
    }
    // Missing for a moment can be a Redis restart that lost the last second of writes.
    this.supervisorMissingSince ??= Date.now()
    if (Date.now() - this.supervisorMissingSince < SUPERVISOR_TTL_MS) return false
    this.d.log.warn("the migrate that started this stage stopped renewing its lease: stopping after this batch")
    return true
  }
}
