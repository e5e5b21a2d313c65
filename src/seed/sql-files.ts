import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The seeder's SQL, kept in .sql files beside this module and read at run time. */
const sqlDir = new URL("./sql/", import.meta.url)

export function readSql(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, sqlDir)), "utf8")
}

/** The contract DDL, a verbatim copy of the shared legacy-schema.sql. */
export function readLegacySchema(): string {
  return readFileSync(fileURLToPath(new URL("../db/legacy/legacy-schema.sql", import.meta.url)), "utf8")
}

/** Generator functions, installed into pg_temp of every session that generates data. */
const functionFiles = [
  "random.sql",
  "keys.sql",
  "core.sql",
  "history-values.sql",
  "product-text.sql",
  "product-numbers.sql",
  "provider.sql",
  "gallery.sql",
  "normalize.sql",
]

/**
 * Session settings, then the functions. Bodies are checked when first used (they call each other
 * regardless of file order); the plan settings matter at 11M rows: memoize caches never hit here
 * and only cost, and JIT compiling these huge inlined expressions takes longer than it saves.
 */
export function sessionSetupSql(): string {
  const settings = [
    "SET DateStyle = 'ISO, YMD'",
    "SET check_function_bodies = off",
    "SET enable_memoize = off",
    "SET jit = off",
    "SET synchronous_commit = off",
  ].join(";\n")
  return [`${settings};`, ...functionFiles.map(readSql)].join("\n")
}
