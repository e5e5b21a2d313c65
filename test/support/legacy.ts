import { createHash } from "node:crypto"
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import pg from "pg"
import { projectRoot } from "../../src/local/paths"
import { runCli, stageEnv } from "./cli"
import { adminUrl, createDatabase, databaseExists } from "./pg"

function hashTree(hash: ReturnType<typeof createHash>, path: string): void {
  if (statSync(path).isDirectory()) for (const f of readdirSync(path).sort()) hashTree(hash, join(path, f))
  else hash.update(readFileSync(path))
}

/** Seeded legacy databases are built once per (size, seed, generator code) and cloned by each test. */
export function legacyTemplateName(products: number, seed: number): string {
  const hash = createHash("sha1")
  hashTree(hash, join(projectRoot, "src", "seed"))
  hashTree(hash, join(projectRoot, "scripts", "seed-legacy.ts"))
  return `tpl_legacy_${products}_${seed}_${hash.digest("hex").slice(0, 8)}`
}

export async function ensureLegacyTemplate(products: number, seed: number): Promise<string> {
  const name = legacyTemplateName(products, seed)
  if (await databaseExists(name)) return name
  const building = `${name}_${process.pid}`
  const r = await runCli("scripts/seed-legacy.ts", ["--products", String(products), "--seed", String(seed), "--force"], stageEnv({ legacyDb: building }))
  if (r.code !== 0) throw new Error(`seed:legacy failed: ${r.stderr || r.stdout}`)
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    // Another test file may have finished the same template meanwhile: keep the first.
    if (await databaseExists(name)) await admin.query(`DROP DATABASE "${building}" WITH (FORCE)`)
    else await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`)
  } finally {
    await admin.end()
  }
  return name
}

export async function createLegacyDatabase(products: number, seed: number): Promise<{ name: string; url: string }> {
  const template = await ensureLegacyTemplate(products, seed)
  const db = await createDatabase("t_legacy", template)
  // seed:legacy records what it generated in the database comment, which a clone does not inherit.
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ c: string | null }>(
      "SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1",
      [template],
    )
    if (rows[0]?.c) await admin.query(`COMMENT ON DATABASE "${db.name}" IS ${admin.escapeLiteral(rows[0].c)}`)
  } finally {
    await admin.end()
  }
  return db
}

export { projectRoot }
