import type { Redis } from "ioredis"
import type { RunState } from "../run/state"
import { toArgs } from "../streams/entries"
import { Lease } from "../streams/lease"
import { runScript } from "../streams/scripts"
import type { StreamKeys } from "../streams/keys"

/**
 * Extract's work is split into units (key-space slices, the orphan scan, the TEST_MODE pick).
 * A copy of extract leases a unit, so several copies share the work and a dead copy's unit is
 * taken over when its lease runs out. Each unit remembers the last key it published.
 */
export type UnitPosition = { key: string | null; done: boolean }

export function unitsOf(run: RunState): string[] {
  if (run.testMode) return ["test"]
  const slices = Array.from({ length: run.slices }, (_, i) => `s${i}`)
  // A daily plan's early keys are a unit of their own (src/extract/plan-early.ts), empty without them.
  return run.kind === "full" ? [...slices, "orphans"] : ["early", ...slices]
}

export const LEASE_MS = 30_000

export class UnitLeases {
  constructor(
    private readonly client: Redis,
    private readonly keys: StreamKeys,
    private readonly run: RunState,
    private readonly owner: string,
    /** How long a lease lasts unless renewed (tests shorten it). */
    readonly ttlMs = LEASE_MS,
  ) {}

  async positions(): Promise<Map<string, UnitPosition>> {
    const raw = await this.client.hgetall(this.keys.unitPositions(this.run.id))
    return new Map(Object.entries(raw).map(([unit, json]) => [unit, JSON.parse(json) as UnitPosition]))
  }

  acquire(unit: string): Promise<boolean> {
    return this.lease(unit).acquire()
  }

  renew(unit: string): Promise<boolean> {
    return this.lease(unit).renew()
  }

  release(unit: string): Promise<void> {
    return this.lease(unit).release()
  }

  /**
   * Publishes a batch (or, with no fields, only a new position) after `from`, the position the
   * caller last saw. Returns false when the lease was lost: the caller must stop working on the
   * unit. A repeated call for the same move (a re-send after a reconnect) publishes nothing again.
   * `leaseUnit`: the unit whose lease the caller holds, when it is not `unit` (the planner
   * records the early plan under the plan's lease).
   */
  async publish(
    unit: string,
    from: UnitPosition | null,
    to: UnitPosition,
    fields: Record<string, string> | null,
    counts: Record<string, number>,
    products = 0,
    leaseUnit = unit,
  ): Promise<boolean> {
    const fieldArgs = fields ? toArgs(fields) : []
    const countArgs = Object.entries(counts).flatMap(([k, v]) => [k, String(v)])
    const r = await runScript(
      this.client,
      "unit-publish",
      [this.keys.unitLease(this.run.id, leaseUnit), this.keys.stream.extract, this.keys.unitPositions(this.run.id), this.keys.counts(this.run.id), this.keys.progress(this.run.id)],
      [this.owner, this.ttlMs, unit, from ? JSON.stringify(from) : "", JSON.stringify(to), products, fieldArgs.length / 2, ...fieldArgs, ...countArgs],
    )
    return r === 1 || r === 2
  }

  private lease(unit: string): Lease {
    return new Lease(this.client, this.keys.unitLease(this.run.id, unit), this.owner, this.ttlMs)
  }
}
