import type { Redis } from "ioredis"
import { runScript } from "./scripts"

/**
 * A lease in Redis: a key holding its owner's name with an expiry, taken only when free (or
 * already ours), renewed and released only by its owner (lua/lease-*.lua). It guards extract's
 * work units, the supervision of a pipeline (one migrate per prefix) and consumer names.
 */
export class Lease {
  constructor(
    private readonly client: Redis,
    readonly key: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  async acquire(): Promise<boolean> {
    return (await runScript(this.client, "lease-acquire", [this.key], [this.owner, this.ttlMs])) === 1
  }

  async renew(): Promise<boolean> {
    return (await runScript(this.client, "lease-renew", [this.key], [this.owner, this.ttlMs])) === 1
  }

  async release(): Promise<void> {
    await runScript(this.client, "lease-release", [this.key], [this.owner])
  }

  /** Who holds it now, or null. */
  holder(): Promise<string | null> {
    return this.client.get(this.key)
  }
}
