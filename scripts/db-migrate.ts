import * as Redacted from "effect/Redacted"
import { describeDbUrl } from "../src/db/connect"
import { ensureDatabase, migrateV3 } from "../src/db/v3/migrate"
import { loadSettingsOrExit, settingsHelp } from "../src/config/load"
import { UnreachableError, errorMessage } from "../src/runtime/errors"

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`Usage: npm run db:migrate

Creates the v3 database if it does not exist, applies the schema migrations in drizzle/
and the reference data (countries, platforms, base categories). Safe to run again.

Settings:
${settingsHelp(["productsDatabaseUrl"])}`)
  process.exit(0)
}

const { productsDatabaseUrl } = loadSettingsOrExit(["productsDatabaseUrl"])
const url = Redacted.value(productsDatabaseUrl)

try {
  const created = await ensureDatabase(url)
  const { referenceRowsChanged } = await migrateV3(url)
  console.log(
    `v3 schema up to date at ${describeDbUrl(url)}${created ? " (database created)" : ""}; reference rows changed: ${referenceRowsChanged}`,
  )
} catch (err) {
  const code = (err as { code?: string }).code
  const unreachable = code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "28P01" || code === "3D000"
  console.error(
    unreachable
      ? new UnreachableError("the v3 database", describeDbUrl(url), "PRODUCTS_DATABASE_URL", err).message
      : `db:migrate failed: ${errorMessage(err)}`,
  )
  process.exit(unreachable ? 3 : 1)
}
