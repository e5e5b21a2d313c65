import type { Redis } from "ioredis"
import { decodeDeadLetter, type StoredDeadLetter } from "../messages/dead-letter"
import { parseEntryList } from "./entries"
import type { StreamKeys } from "./keys"

/** Reads dead letters oldest first, a page at a time, optionally filtered by stage and reason. */
export async function* readDeadLetters(
  client: Redis,
  keys: StreamKeys,
  filter: { stage?: string; reason?: string; entity?: string } = {},
  pageSize = 500,
): AsyncGenerator<StoredDeadLetter> {
  let start = "-"
  for (;;) {
    const page = parseEntryList(await client.xrange(keys.dlq, start, "+", "COUNT", pageSize))
    for (const entry of page) {
      const letter = decodeDeadLetter(entry.id, entry.fields)
      if (!letter) continue
      if (filter.stage && letter.stage !== filter.stage) continue
      if (filter.reason && letter.reason !== filter.reason) continue
      if (filter.entity && letter.entity !== filter.entity) continue
      yield letter
    }
    if (page.length < pageSize) return
    start = `(${page[page.length - 1]!.id}`
  }
}
