import pino, { type Logger } from "pino"
import pretty from "pino-pretty"

export type { Logger }

/** Connection strings may carry passwords: strip the userinfo part wherever one shows up in text. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1***@")
}

/**
 * The root logger: JSON lines by default (one object per event, metadata as fields), pretty
 * when writing to a terminal or when LOG_FORMAT=pretty. Secrets are redacted by key.
 */
export function createLogger(options: {
  level?: string
  /** LOG_FORMAT: "auto" (the default) is pretty on a terminal, JSON lines otherwise. */
  format?: "json" | "pretty" | "auto"
  name: string
  base?: Record<string, unknown>
  /** stderr for commands whose stdout is their report (status --json, verify, dlq). */
  destination?: "stdout" | "stderr"
}): Logger {
  const out = options.destination === "stderr" ? process.stderr : process.stdout
  const fd = options.destination === "stderr" ? 2 : 1
  const wanted = options.format ?? "auto"
  const format = wanted === "auto" ? (out.isTTY ? "pretty" : "json") : wanted
  const opts: pino.LoggerOptions = {
    name: options.name,
    level: options.level ?? process.env["LOG_LEVEL"] ?? "info",
    base: { pid: process.pid, ...options.base },
    redact: {
      paths: ["password", "*.password", "url", "*.url", "connectionString", "*.connectionString"],
      censor: "[redacted]",
    },
    serializers: {
      err: (err: unknown) => {
        const s = pino.stdSerializers.err(err as Error) as ReturnType<typeof pino.stdSerializers.err> & { command?: { name?: string } }
        // ioredis attaches the failed command with its arguments: AUTH's argument is the password.
        const command = s.command ? { command: { name: s.command.name } } : {}
        return { ...s, ...command, message: redactUrls(s.message), stack: s.stack ? redactUrls(s.stack) : undefined }
      },
    },
  }
  // Synchronous pretty stream: no worker thread, so the last lines are not lost on exit.
  if (format === "pretty") return pino(opts, pretty({ sync: true, colorize: out.isTTY, destination: fd }))
  return fd === 1 ? pino(opts) : pino(opts, pino.destination({ dest: fd, sync: true }))
}
