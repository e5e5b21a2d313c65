import type { ChainableCommander, Redis } from "ioredis"
import { sleep } from "../runtime/sleep"
import { UserFacingError } from "../runtime/errors"
import { dlqCountField, type StoredDeadLetter } from "../messages/dead-letter"
import type { StreamKeys } from "../streams/keys"
import { type LetterFilter, pages, selectLetters } from "./select"

const ATTEMPTS = 50

/**
 * Deletes `letters` (XDEL, and their rows from the counters status shows) together with
 * whatever `also` queues, in one MULTI/EXEC, and only while every one of them is still in the
 * stream (WATCH): a letter is re-published at most once even when two operators retry at the
 * same moment, and a second retry finds nothing. Returns the letters it deleted; none when
 * another command took them first.
 */
export async function deleteLetters(
  client: Redis,
  keys: StreamKeys,
  letters: readonly StoredDeadLetter[],
  also: (tx: ChainableCommander, present: readonly StoredDeadLetter[]) => void = () => undefined,
): Promise<StoredDeadLetter[]> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await client.watch(keys.dlq)
    const present: StoredDeadLetter[] = []
    for (const l of letters) if ((await client.xrange(keys.dlq, l.id, l.id)).length > 0) present.push(l)
    if (present.length === 0) {
      await client.unwatch()
      return []
    }
    const tx = client.multi()
    also(tx, present)
    for (const l of present) {
      tx.xdel(keys.dlq, l.id)
      tx.hincrby(keys.dlqCounts, dlqCountField(l), -l.count)
    }
    const results = await tx.exec()
    const failed = results?.find(([err]) => err)
    if (failed) throw new Error(`updating the dead-letter stream failed: ${failed[0]?.message}`)
    // null: the stream changed under the WATCH (a stage added a letter); look again.
    if (results !== null) return present
    await sleep(10 + Math.random() * 40)
  }
  throw new UserFacingError("the dead-letter stream kept changing while this command ran (the stages are busy); try again")
}

const PURGE_PAGE = 500

/** Deletes the matching letters and takes their rows off the counters status shows. */
export async function purgeLetters(client: Redis, keys: StreamKeys, f: LetterFilter): Promise<{ letters: number; rows: number }> {
  let letters = 0
  let rows = 0
  for await (const page of pages(selectLetters(client, keys, f), PURGE_PAGE)) {
    const done = await deleteLetters(client, keys, page)
    letters += done.length
    rows += done.reduce((n, l) => n + l.count, 0)
  }
  return { letters, rows }
}
