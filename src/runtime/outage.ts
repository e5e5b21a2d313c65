import type { Logger } from "../log/logger"
import { ExitCode, UserFacingError } from "./errors"
import { backoffMs, classify, reconnectBackoff } from "./retry"
import { sleep } from "./sleep"

/** A server a process depends on, as people know it: what, where, and the setting naming it. */
export interface Server {
  /** "Redis", "the v3 database", "the legacy database". */
  what: string
  /** host:port[/db], never credentials. */
  where: string
  setting: string
  /** Succeeds once the server answers again. */
  probe: () => Promise<unknown>
}

export class OutageTimeoutError extends UserFacingError {
  constructor(server: Server, seconds: number) {
    super(
      `${server.what} at ${server.where} (${server.setting}) was unreachable for ${seconds} s, longer than OUTAGE_TIMEOUT: ` +
        `check that it is running, then run again (the run resumes where it stopped)`,
      ExitCode.unreachable,
    )
  }
}

interface Down {
  since: number
  server: Server
}

/**
 * Rides out server restarts. A process waits while a server it needs is away, logging one
 * warning when the outage starts and one line when it ends, and gives up with exit status 3 once
 * the outage has lasted OUTAGE_TIMEOUT. Redis clients report their state as they reconnect
 * (src/streams/client.ts); PostgreSQL work that fails with an outage error waits here
 * (`recover`) and is tried again.
 */
export class OutageWatch {
  private readonly down = new Map<string, Down>()
  private readonly servers = new Map<string, Server>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly timeoutMs: number,
    private readonly log: Logger,
    /** Called once when an outage outlasts the bound (default: the one-line error and exit 3). */
    private readonly onTimeout: (err: OutageTimeoutError) => void,
  ) {}

  register(server: Server): Server {
    this.servers.set(server.where + server.setting, server)
    return server
  }

  /** Notes that `server` is away; the first note of an outage logs one warning. */
  markDown(server: Server, err: unknown): void {
    const id = server.where + server.setting
    if (this.down.has(id)) return
    this.down.set(id, { since: Date.now(), server })
    const reason = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err)
    this.log.warn(
      { server: server.what, where: server.where, reason, waitSeconds: this.timeoutMs / 1000 },
      `${server.what} at ${server.where} is unreachable (${reason}): waiting up to ${this.timeoutMs / 1000} s (OUTAGE_TIMEOUT) for it to come back`,
    )
    this.timer ??= setInterval(() => this.enforce(), 1_000)
    this.timer.unref?.()
  }

  /** Notes that `server` answers again; ends its outage with one line. */
  markUp(server: Server): void {
    const id = server.where + server.setting
    const d = this.down.get(id)
    if (!d) return
    this.down.delete(id)
    const seconds = Math.round((Date.now() - d.since) / 100) / 10
    this.log.info({ server: server.what, where: server.where, outageSeconds: seconds }, `${server.what} at ${server.where} is back after ${seconds} s`)
    if (this.down.size === 0 && this.timer) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }

  isDown(): boolean {
    return this.down.size > 0
  }

  private enforce(): void {
    for (const d of this.down.values()) {
      if (Date.now() - d.since > this.timeoutMs) {
        this.down.clear()
        if (this.timer) clearInterval(this.timer)
        this.timer = undefined
        this.onTimeout(new OutageTimeoutError(d.server, Math.round(this.timeoutMs / 1000)))
        return
      }
    }
  }

  /**
   * After an outage error: probes every registered server until all answer, with backoff,
   * marking each down and up as it goes. Throws OutageTimeoutError past the bound.
   */
  async recover(signal?: AbortSignal): Promise<void> {
    for (const server of this.servers.values()) {
      for (let attempt = 1; !signal?.aborted; attempt++) {
        try {
          await server.probe()
          this.markUp(server)
          break
        } catch (err) {
          if (classify(err) !== "outage") throw err
          this.markDown(server, err)
          const d = this.down.get(server.where + server.setting)
          if (d && Date.now() - d.since > this.timeoutMs) throw new OutageTimeoutError(server, Math.round(this.timeoutMs / 1000))
          await sleep(backoffMs(attempt, reconnectBackoff), signal)
        }
      }
    }
  }

  /**
   * The first connection to a server. A stage that migrate started (MIGRATOR_SUPERVISOR) while a
   * server restarts waits for it like any other outage; a process a person started says at once
   * that it cannot reach it (UnreachableError, exit 3), which is what a wrong URL needs.
   */
  async connect<T>(server: Omit<Server, "probe">, open: () => Promise<T>): Promise<T> {
    if (!process.env["MIGRATOR_SUPERVISOR"]) return open()
    const s: Server = { ...server, probe: open }
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await open()
        this.markUp(s)
        return result
      } catch (err) {
        if (!(err instanceof UserFacingError) || err.exitCode !== ExitCode.unreachable) throw err
        this.markDown(s, (err as { cause?: unknown }).cause ?? err)
        const d = this.down.get(s.where + s.setting)
        if (d && Date.now() - d.since > this.timeoutMs) throw new OutageTimeoutError(s, Math.round(this.timeoutMs / 1000))
        await sleep(backoffMs(attempt, reconnectBackoff))
      }
    }
  }

  /** Runs `work`, and again after every outage error once the servers are back. */
  async ride<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (;;) {
      try {
        return await work()
      } catch (err) {
        if (classify(err) !== "outage" || signal?.aborted) throw err
        await this.recover(signal)
        if (signal?.aborted) throw err
      }
    }
  }
}

let current: OutageWatch | undefined

/** The process's watch (runProcess creates it from OUTAGE_TIMEOUT; tests and scripts get a default). */
export function outageWatch(): OutageWatch {
  current ??= new OutageWatch(300_000, silentLog, (err) => {
    process.stderr.write(`${err.message}\n`)
    process.exit(err.exitCode)
  })
  return current
}

export function setOutageWatch(watch: OutageWatch): void {
  current = watch
}

const silentLog = { warn: () => undefined, info: () => undefined } as unknown as Logger
