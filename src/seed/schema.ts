import type pg from "pg"
import { readLegacySchema } from "./sql-files"

export type LegacyTable = "product" | "history"

/**
 * The contract DDL's statements, verbatim (comments aside), grouped by the table they create or
 * index: the product table is created in the transaction that loads it (PostgreSQL then writes
 * no WAL for it), history on its own so that both connections can fill it. A statement of another
 * kind is an error: the contract file changed and this seeder must be looked at.
 */
export function legacyDdl(): Record<LegacyTable, string[]> {
  const text = readLegacySchema()
    .split("\n")
    .map((line) => line.replace(/--.*$/, ""))
    .join("\n")
  const out: Record<LegacyTable, string[]> = { product: [], history: [] }
  for (const statement of text.split(";").map((s) => s.trim()).filter(Boolean)) {
    const created = /^CREATE\s+TABLE\s+(\w+)/i.exec(statement)?.[1]
    const table = created ?? /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+\w+\s+ON\s+(\w+)/i.exec(statement)?.[1]
    if (table !== "product" && table !== "history") {
      throw new Error(`legacy-schema.sql holds a statement the seeder does not know: ${statement.slice(0, 60)}`)
    }
    out[table].push(statement)
  }
  return out
}

/** Statements that re-create a table's indexes: builds (independent, parallelizable), then attachments. */
export interface DeferredIndexes {
  readonly build: readonly string[]
  readonly attach: readonly string[]
}

/**
 * Drops the table's indexes (primary key and unique constraints included) and returns what
 * re-creates them exactly as they were: building an index once over the loaded rows is far
 * cheaper than maintaining it row by row. A constraint's index is built as a plain unique index
 * (which, unlike ADD CONSTRAINT, lets other index builds on the table run at the same time) and
 * then attached to a constraint of the same name.
 */
export async function deferIndexes(client: pg.Client, table: LegacyTable): Promise<DeferredIndexes> {
  type IndexRow = { index: string; def: string; constraint: string | null; contype: string | null }
  const { rows } = await client.query<IndexRow>(
    `SELECT c.relname AS index, pg_get_indexdef(i.indexrelid) AS def,
       k.conname AS constraint, k.contype::text AS contype
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid
     WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
    [table],
  )
  const id = (name: string): string => client.escapeIdentifier(name)
  const attach: string[] = []
  for (const r of rows) {
    if (r.constraint === null) {
      await client.query(`DROP INDEX ${id(r.index)}`)
      continue
    }
    if (r.contype !== "p" && r.contype !== "u") {
      throw new Error(`index ${r.index} backs a constraint the seeder cannot re-create`)
    }
    await client.query(`ALTER TABLE ${id(table)} DROP CONSTRAINT ${id(r.constraint)}`)
    const kind = r.contype === "p" ? "PRIMARY KEY" : "UNIQUE"
    attach.push(`ALTER TABLE ${id(table)} ADD CONSTRAINT ${id(r.constraint)} ${kind} USING INDEX ${id(r.index)}`)
  }
  return { build: rows.map((r) => r.def), attach }
}

/** Re-creates deferred indexes one after the other, on one connection. */
export async function restoreIndexes(client: pg.Client, deferred: DeferredIndexes): Promise<void> {
  for (const statement of [...deferred.build, ...deferred.attach]) await client.query(statement)
}
