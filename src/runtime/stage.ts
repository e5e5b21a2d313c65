import type * as Effect from "effect/Effect"
import { loadSettingsOrExit, settingsHelp } from "../config/load"
import type { SettingName, Settings } from "../config/settings"
import { createLogger, type Logger } from "../log/logger"
import { exitAfterOutage, runMainEffect, setShutdownGrace } from "./main"
import { relieveMemory } from "./memory"
import { OutageWatch, setOutageWatch } from "./outage"

/** Settings every process reads besides its own: how it logs and how long it may take to stop. */
const common = ["logLevel", "logFormat", "shutdownGraceMs", "outageTimeout"] as const
type CommonSetting = (typeof common)[number]

export interface ProcessSpec<K extends SettingName> {
  name: string
  /** Usage line(s) and a short description, shown by --help. */
  usage: string
  settings: readonly K[]
  program: (settings: Settings<K | CommonSetting>, log: Logger, args: string[]) => Effect.Effect<void, unknown>
  /** Where log lines go; "stderr" for commands whose stdout is their report. Default stdout. */
  logTo?: "stdout" | "stderr"
}

/**
 * The shared entry of every process: `--help`, settings validated once (exit 2 naming the bad
 * one), a pino logger named for the process, and the signal-aware runner.
 */
export function runProcess<K extends SettingName>(spec: ProcessSpec<K>): void {
  const args = process.argv.slice(2)
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${spec.usage}\n\nSettings (environment):\n${settingsHelp([...spec.settings, ...common])}\n`)
    process.exit(0)
  }
  const settings = loadSettingsOrExit([...spec.settings, ...common] as const)
  const log = createLogger({ name: spec.name, level: settings.logLevel, format: settings.logFormat, destination: spec.logTo ?? "stdout" })
  setShutdownGrace(settings.shutdownGraceMs)
  setOutageWatch(new OutageWatch(settings.outageTimeout * 1000, log, exitAfterOutage))
  // Consumers also collect after each batch (src/streams/consumer.ts); this covers extract and migrate.
  setInterval(() => relieveMemory(), 1_000).unref()
  runMainEffect(spec.program(settings as Settings<K | CommonSetting>, log, args))
}
