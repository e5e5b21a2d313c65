import { createHash } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import pg from "pg"
import { migrateV3, migrationsFolder } from "../../src/db/v3/migrate"
import { adminUrl, createDatabase, databaseExists, databaseUrl } from "./pg"

/** The template's name changes whenever a migration changes, so a stale template is never cloned. */
export function v3TemplateName(): string {
  const hash = createHash("sha1")
  for (const f of readdirSync(migrationsFolder).sort()) if (f.endsWith(".sql")) hash.update(readFileSync(join(migrationsFolder, f)))
  return `tpl_v3_${hash.digest("hex").slice(0, 10)}`
}

/** Builds the migrated v3 template once (global setup); test files clone it. */
export async function ensureV3Template(): Promise<string> {
  const name = v3TemplateName()
  if (await databaseExists(name)) return name
  const building = `${name}_build`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`)
    await admin.query(`CREATE DATABASE "${building}"`)
    await migrateV3(databaseUrl(building))
    // Renaming makes the finished template appear atomically for concurrent runs.
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`)
  } catch (err) {
    if (!(await databaseExists(name))) throw err
  } finally {
    await admin.end()
  }
  return name
}

export async function createV3Database(): Promise<{ name: string; url: string }> {
  return createDatabase("t_v3", v3TemplateName())
}
