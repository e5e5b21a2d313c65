import type { Redis } from "ioredis"
import { UserFacingError } from "../runtime/errors"
import type { StreamKeys } from "../streams/keys"
import { readRun } from "./state"

/** The one line migrate ends with when Redis no longer holds the run it supervises. */
export function runLost(id: string): UserFacingError {
  return new UserFacingError(
    `Redis no longer holds run ${id} (it restarted without persistence, or its keys were deleted): the run cannot finish; ` +
      "run npm run migrate again to start over (v3 keeps what was loaded; set appendonly yes on Redis to keep runs across restarts)",
  )
}

/**
 * Runs `work`; should it fail because the run is gone, says so instead. A Redis that comes back
 * empty in the middle of a poll answers the poll's stream commands with `ERR no such key`
 * (XINFO on a stream that no longer exists), which tells the person nothing.
 */
export async function explainRunLoss<T>(client: Redis, keys: StreamKeys, id: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if ((await readRun(client, keys).catch(() => "unreadable")) === undefined) throw runLost(id)
    throw err
  }
}
