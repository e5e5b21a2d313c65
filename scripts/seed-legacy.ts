import * as Redacted from "effect/Redacted"
import { loadSettingsOrExit } from "../src/config/load"
import { ArgError, parseArgs, usage } from "../src/seed/args"
import { applyChanges } from "../src/seed/changes"
import { describeError, exitCodeOf } from "../src/seed/errors"
import { seedLegacy } from "../src/seed/seed"

const log = (line: string): void => console.log(line)

async function main(argv: readonly string[]): Promise<number> {
  let command
  try {
    command = parseArgs(argv)
  } catch (err) {
    if (!(err instanceof ArgError)) throw err
    console.error(err.message)
    return 2
  }
  if (command.kind === "help") {
    console.log(usage)
    return 0
  }
  const url = Redacted.value(loadSettingsOrExit(["oldDatabaseUrl"]).oldDatabaseUrl)
  if (command.kind === "seed") {
    const s = await seedLegacy(url, command, log)
    if (!s.alreadySeeded) {
      log(`seeded ${s.database}: ${s.products} products, ${s.historyRows} history rows in ${s.seconds.toFixed(1)} s`)
    }
    return 0
  }
  await applyChanges(url, command, log)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(describeError(err))
    process.exit(exitCodeOf(err))
  },
)
