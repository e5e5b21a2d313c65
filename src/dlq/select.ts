import type { Redis } from "ioredis"
import { decodeDeadLetter, type StoredDeadLetter } from "../messages/dead-letter"
import { readDeadLetters } from "../streams/dead-letter"
import { compareIds, parseEntryList } from "../streams/entries"
import type { StreamKeys } from "../streams/keys"

/** Which dead letters a dlq command acts on: all filters must match; `ids`, when given, names them. */
export interface LetterFilter {
  stage?: string
  reason?: string
  entity?: string
  ids?: string[]
}

export const isEmptyFilter = (f: LetterFilter): boolean => !f.stage && !f.reason && !f.entity && !f.ids?.length

const matches = (l: StoredDeadLetter, f: LetterFilter) =>
  (!f.stage || l.stage === f.stage) && (!f.reason || l.reason === f.reason) && (!f.entity || l.entity === f.entity)

/**
 * The matching letters, oldest first, read a page at a time. Only letters that existed when the
 * walk began: a retry whose re-published rows are rejected again while the stages run adds new
 * letters behind it, and must not chase them.
 */
export async function* selectLetters(client: Redis, keys: StreamKeys, f: LetterFilter): AsyncGenerator<StoredDeadLetter> {
  if (f.ids?.length) {
    for (const id of f.ids) {
      const letter = parseEntryList(await client.xrange(keys.dlq, id, id)).map((e) => decodeDeadLetter(e.id, e.fields))[0]
      if (letter && matches(letter, f)) yield letter
    }
    return
  }
  const newest = (await client.xrevrange(keys.dlq, "+", "-", "COUNT", 1))[0]?.[0]
  if (newest === undefined) return
  for await (const letter of readDeadLetters(client, keys, f)) {
    if (compareIds(letter.id, newest) > 0) return
    yield letter
  }
}

/** Letters in pages of `size`, so a command works through a long stream with bounded memory. */
export async function* pages<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let page: T[] = []
  for await (const item of items) {
    page.push(item)
    if (page.length >= size) {
      yield page
      page = []
    }
  }
  if (page.length > 0) yield page
}
