import * as Cause from "effect/Cause"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type SettingName, type SettingSpec, type Settings, settings } from "./settings"

/** Exit status of a process that was started with a missing or malformed setting. */
export const EXIT_BAD_SETTING = 2

export class SettingError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message)
  }
}

function malformed(name: SettingName, raw: string | undefined, expected: string): string {
  const spec = settings[name]
  // Never echo a URL's value: it may hold a password.
  const shown = spec.env.endsWith("_URL") || raw === undefined ? "" : ` ('${raw}')`
  return `setting ${spec.env} is malformed${shown}: ${expected} (${spec.help})`
}

function describeFailure(name: SettingName, raw: string | undefined, cause: Cause.Cause<unknown>): string {
  const spec = settings[name]
  if (raw === undefined || raw === "") return `setting ${spec.env} is missing: set it to the ${spec.help}`
  const squashed = Cause.squash(cause)
  const detail = squashed instanceof Error ? squashed.message : String(squashed)
  const expected = /expected[^\n]*/i.exec(detail)?.[0]?.toLowerCase() ?? "a valid value"
  return malformed(name, raw, expected)
}

/** Reads and validates the named settings, all at once; throws a SettingError naming the first bad one. */
export function readSettings<K extends SettingName>(
  names: readonly K[],
  env: Record<string, string | undefined> = process.env,
): Settings<K> {
  const provider = ConfigProvider.fromEnv({ env: env as Record<string, string> })
  const out: Record<string, unknown> = {}
  for (const name of names) {
    const spec = settings[name] as unknown as SettingSpec<unknown>
    const raw = env[spec.env]
    if (raw === "" && spec.rejectEmpty) throw new SettingError(spec.env, malformed(name, raw, "expected a value, not an empty string"))
    const exit = Effect.runSyncExit(spec.config.parse(provider))
    if (Exit.isFailure(exit)) throw new SettingError(spec.env, describeFailure(name, raw, exit.cause))
    const problem = spec.check?.(exit.value)
    if (problem !== undefined) throw new SettingError(spec.env, malformed(name, raw, problem))
    out[name] = exit.value
  }
  return out as Settings<K>
}

/** Like readSettings, but a bad setting ends the process with status 2 and one line on stderr. */
export function loadSettingsOrExit<K extends SettingName>(names: readonly K[]): Settings<K> {
  try {
    return readSettings(names)
  } catch (err) {
    if (err instanceof SettingError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(EXIT_BAD_SETTING)
    }
    throw err
  }
}

/** The `--help` lines describing the given settings. */
export function settingsHelp(names: readonly SettingName[]): string {
  return names.map((n) => `  ${settings[n].env.padEnd(22)} ${settings[n].help}`).join("\n")
}
