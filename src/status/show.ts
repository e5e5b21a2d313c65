import type { Redis } from "ioredis"
import { sleep } from "../runtime/sleep"
import { errorMessage } from "../runtime/errors"
import type { StreamKeys } from "../streams/keys"
import { collectStatus } from "./collect"
import { statusDocument } from "./document"
import { renderStatus } from "./render"

export interface ShowOptions {
  json: boolean
  /** Seconds between refreshes; null for a one-shot view. */
  watchSeconds: number | null
}

const CLEAR = "\x1b[H\x1b[2J"

async function snapshot(client: Redis, keys: StreamKeys, json: boolean): Promise<string> {
  const status = await collectStatus(client, keys)
  return json ? JSON.stringify(statusDocument(status)) : renderStatus(status)
}

/**
 * Prints the status once, or with `watchSeconds` redraws it until `signal` aborts (Ctrl-C).
 * A watched terminal is cleared between frames; a pipe gets one frame (or one JSON line) per
 * refresh. A failed refresh is shown and retried, so a Redis restart does not end the watch.
 */
export async function showStatus(client: Redis, keys: StreamKeys, opts: ShowOptions, signal: AbortSignal): Promise<void> {
  if (opts.watchSeconds === null) {
    process.stdout.write(`${await snapshot(client, keys, opts.json)}\n`)
    return
  }
  const tty = process.stdout.isTTY === true && !opts.json
  while (!signal.aborted) {
    let frame: string
    try {
      frame = await snapshot(client, keys, opts.json)
    } catch (err) {
      frame = `status refresh failed: ${errorMessage(err)}; retrying in ${opts.watchSeconds}s`
    }
    const footer = tty ? `\n\nrefreshing every ${opts.watchSeconds}s; Ctrl-C to stop` : ""
    process.stdout.write(`${tty ? CLEAR : ""}${frame}${footer}\n${tty || opts.json ? "" : "\n"}`)
    await sleep(opts.watchSeconds * 1000, signal)
  }
}
