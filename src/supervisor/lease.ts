import { randomBytes } from "node:crypto"
import { hostname } from "node:os"
import type { Redis } from "ioredis"
import { UserFacingError } from "../runtime/errors"
import { processAlive } from "../runtime/pids"
import type { StreamKeys } from "../streams/keys"
import { Lease } from "../streams/lease"

/** How long a supervisor's lease outlives its last renewal: a migrate killed with -9 frees the pipeline after this. */
export const SUPERVISOR_TTL_MS = 15_000
const RENEW_EVERY_MS = 3_000

/** What a supervisor lease holds: who, and a token its stages compare with. */
export interface SupervisorId {
  host: string
  pid: number
  token: string
}

const describe = (raw: string | null): string => {
  try {
    const s = JSON.parse(raw ?? "") as SupervisorId
    return `host ${s.host}, pid ${s.pid}`
  } catch {
    return "an unknown process"
  }
}

/**
 * One migrate per pipeline (STREAM_PREFIX): the supervisor lease. A second migrate finds it held
 * and says so; one whose holder died on this host (its pid is gone) takes it over at once, one
 * on another host once it expires. The stages a migrate starts carry its token
 * (MIGRATOR_SUPERVISOR) and stop when the lease holds another token or is gone for good.
 */
export async function superviseOrExit(client: Redis, keys: StreamKeys, prefix: string): Promise<{ id: SupervisorId; stop: () => Promise<void>; lost: () => boolean }> {
  const id: SupervisorId = { host: hostname(), pid: process.pid, token: randomBytes(8).toString("hex") }
  const lease = new Lease(client, keys.supervisor, JSON.stringify(id), SUPERVISOR_TTL_MS)
  if (!(await lease.acquire())) {
    const held = await lease.holder()
    let holder: SupervisorId | undefined
    try {
      holder = JSON.parse(held ?? "") as SupervisorId
    } catch {
      holder = undefined
    }
    // Its migrate died on this host (kill -9): nothing renews the lease any more.
    if (holder && holder.host === id.host && !processAlive(holder.pid)) await client.del(keys.supervisor)
    if (!(await lease.acquire())) {
      throw new UserFacingError(
        `another migrate (${describe(held)}) is running this pipeline (STREAM_PREFIX=${prefix}): wait for it to finish or stop it; ` +
          `if it died on another host, its lock expires within ${SUPERVISOR_TTL_MS / 1000} s`,
      )
    }
  }
  let lost = false
  // After an outage longer than the lease, the key may have expired: take it back while it is free.
  const timer = setInterval(() => {
    void (async () => (await lease.renew()) || (await lease.acquire()))().then(
      (ok) => (lost ||= !ok),
      () => undefined,
    )
  }, RENEW_EVERY_MS)
  return {
    id,
    lost: () => lost,
    stop: async () => {
      clearInterval(timer)
      await lease.release().catch(() => undefined)
    },
  }
}
