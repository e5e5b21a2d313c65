import type { Redis } from "ioredis"
import type { RunState } from "../pipeline/run"
import { toArgs } from "../streams/entries"
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
  return run.kind === "full" ? [...slices, "orphans"] : slices
}

export const LEASE_MS = 30_000

const acquireScript = `
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`

const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/**
 * Publishes one batch and moves the unit's position in one atomic step, only while the caller
 * still holds the lease, and extends the lease: a batch is published exactly once even across
 * crashes and takeovers.
 * KEYS: lease, stream, positions, counts. ARGV: owner, lease ms, unit, position, field count,
 * fields..., count pairs...
 */
const publishScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local n = tonumber(ARGV[5])
if n > 0 then
  local fields = {}
  for i = 1, n * 2 do fields[i] = ARGV[5 + i] end
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
local i = 6 + n * 2
while i < #ARGV do
  redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1])
  i = i + 2
end
return 1`

export class UnitLeases {
  constructor(
    private readonly client: Redis,
    private readonly keys: StreamKeys,
    private readonly run: RunState,
    private readonly owner: string,
  ) {}

  async positions(): Promise<Map<string, UnitPosition>> {
    const raw = await this.client.hgetall(this.keys.unitPositions(this.run.id))
    return new Map(Object.entries(raw).map(([unit, json]) => [unit, JSON.parse(json) as UnitPosition]))
  }

  async acquire(unit: string): Promise<boolean> {
    const r = await this.client.eval(acquireScript, 1, this.leaseKey(unit), this.owner, LEASE_MS)
    return r === 1
  }

  async renew(unit: string): Promise<boolean> {
    return (await this.client.eval(renewScript, 1, this.leaseKey(unit), this.owner, LEASE_MS)) === 1
  }

  async release(unit: string): Promise<void> {
    await this.client.eval(releaseScript, 1, this.leaseKey(unit), this.owner)
  }

  /** Returns false when the lease was lost: the caller must stop working on the unit. */
  async publish(
    unit: string,
    position: UnitPosition,
    fields: Record<string, string> | null,
    counts: Record<string, number>,
  ): Promise<boolean> {
    const fieldArgs = fields ? toArgs(fields) : []
    const countArgs = Object.entries(counts).flatMap(([k, v]) => [k, String(v)])
    const r = await this.client.eval(
      publishScript,
      4,
      this.leaseKey(unit),
      this.keys.stream.extract,
      this.keys.unitPositions(this.run.id),
      this.keys.counts(this.run.id),
      this.owner,
      LEASE_MS,
      unit,
      JSON.stringify(position),
      String(fieldArgs.length / 2),
      ...fieldArgs,
      ...countArgs,
    )
    return r === 1
  }

  private leaseKey(unit: string): string {
    return this.keys.unitLease(this.run.id, unit)
  }
}
