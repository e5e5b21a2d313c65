import type { Cluster, Redis } from "ioredis"
import { type DeadLetter, dlqCountField, encodeDeadLetter } from "../messages/dead-letter"
import { toArgs } from "./entries"
import type { StreamKeys } from "./keys"
import { runScript } from "./scripts"

/**
 * What processing one entry does to Redis besides acknowledging it: entries published
 * downstream, counters added, dead letters written. Collected while the entry is processed and
 * applied by `ack` in one script, only by the call that acknowledges the entry (lua/ack.lua).
 */
export class Effects {
  private readonly keys: string[] = []
  private readonly args: (string | number)[] = []

  private keyIndex(key: string): number {
    let i = this.keys.indexOf(key)
    if (i < 0) i = this.keys.push(key) - 1
    // KEYS[1] is the input stream: effect keys start at 2.
    return i + 2
  }

  publish(stream: string, fields: Record<string, string>): this {
    const flat = toArgs(fields)
    this.args.push("X", this.keyIndex(stream), flat.length / 2, ...flat)
    return this
  }

  add(hash: string, field: string, n: number): this {
    if (n !== 0) this.args.push("H", this.keyIndex(hash), field, n)
    return this
  }

  forget(hash: string, field: string): this {
    this.args.push("D", this.keyIndex(hash), field)
    return this
  }

  /** A dead letter and its counter by stage, entity and reason (status shows them). */
  deadLetter(keys: StreamKeys, letter: DeadLetter): this {
    this.publish(keys.dlq, encodeDeadLetter(letter))
    this.add(keys.dlqCounts, dlqCountField(letter), letter.count)
    return this
  }

  /** Adds every counter of `counts` to a run's counts hash. */
  count(keys: StreamKeys, run: string, counts: Readonly<Record<string, number>>): this {
    for (const [k, v] of Object.entries(counts)) this.add(keys.counts(run), k, v)
    return this
  }

  get script(): { keys: readonly string[]; args: readonly (string | number)[] } {
    return { keys: this.keys, args: this.args }
  }
}

/**
 * Acknowledges `id` in `group` and applies `effects` atomically (lua/apply.lua). Returns false
 * when the entry was no longer pending (acknowledged before, by this call re-sent or by another
 * consumer): then nothing was applied, and nothing needs to be.
 */
export async function ack(client: Redis | Cluster, stream: string, group: string, id: string, effects = new Effects()): Promise<boolean> {
  const { keys, args } = effects.script
  return (await runScript(client, "apply", [stream, ...keys], ["ack", group, id, ...args])) === 1
}

/** How long a part's marker outlives it: longer than any entry can stay pending and be redone. */
const PART_MARKER_MS = 7 * 24 * 3600 * 1000

/**
 * Publishes part `n` of an entry's output before the entry is acknowledged, once: a consumer
 * redoing the entry (a crash, a redelivery, a consumer that claimed it from a slow one) produces
 * the same parts in the same order, and the ones published before are skipped. The markers
 * expire on their own, since a late copy may come after the acknowledgement.
 */
export async function publishPart(client: Redis | Cluster, keys: StreamKeys, stream: string, id: string, n: number, effects: Effects): Promise<boolean> {
  const script = effects.script
  return (await runScript(client, "apply", [keys.part(stream, id, n), ...script.keys], ["part", PART_MARKER_MS, "", ...script.args])) === 1
}
