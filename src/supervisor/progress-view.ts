import type { Redis } from "ioredis"
import type { Logger } from "../log/logger"
import { collectStatus } from "../status/collect"
import { progressLines } from "../status/render"
import type { StreamKeys } from "../streams/keys"
import type { RunState } from "../run/state"

export interface ProgressView {
  update(run: RunState): Promise<void>
  stop(): void
}

const TTY_EVERY_MS = 1_000
const LOG_EVERY_MS = 10_000

/**
 * Progress while `migrate` runs: redrawn bars on a terminal, a JSON log line every ten
 * seconds otherwise (so CI logs and files stay readable).
 */
export function progressView(client: Redis, keys: StreamKeys, log: Logger, tty: boolean): ProgressView {
  let last = 0
  let drawn = 0
  return {
    async update() {
      const now = Date.now()
      if (now - last < (tty ? TTY_EVERY_MS : LOG_EVERY_MS)) return
      last = now
      const status = await collectStatus(client, keys)
      if (tty) {
        const lines = progressLines(status)
        if (drawn > 0) process.stdout.write(`\x1b[${drawn}A`)
        process.stdout.write(lines.map((l) => `\x1b[2K${l}`).join("\n") + "\n")
        drawn = lines.length
      } else {
        log.info(
          { stages: Object.fromEntries(status.stages.map((s) => [s.stage, { done: s.done, expected: s.expected, rate: s.rate && Math.round(s.rate) }])) },
          "progress",
        )
      }
    },
    stop() {
      drawn = 0
    },
  }
}
