import type pg from "pg"
import { ExitCode, UserFacingError } from "../runtime/errors"
import type { MappingConfig } from "../mapping/types"
import type { VerifyArgs } from "./options"
import { describeDifference, renderVerify, verifyDocument } from "./report"
import { runVerify } from "./verify"

async function requireTable(pool: pg.Pool, table: string, what: string, fix: string): Promise<void> {
  const { rows } = await pool.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table])
  if (!rows[0]?.t) throw new UserFacingError(`${what} has no ${table} table: ${fix}`, ExitCode.failed)
}

/** Runs verify, prints the report (or its JSON document), and fails with one line when v3 differs. */
export async function verifyCommand(
  d: { legacy: pg.Pool; v3: pg.Pool; mapping: MappingConfig; testMode: boolean },
  args: VerifyArgs,
  signal: AbortSignal,
): Promise<void> {
  await requireTable(d.legacy, "product", "the legacy database", "check OLD_DATABASE_URL")
  await requireTable(d.v3, "products", "the v3 database", "run `npm run db:migrate` and a migration first")
  const report = await runVerify({ ...d, signal }, { sample: args.sample, limit: args.limit })
  process.stdout.write(`${args.json ? JSON.stringify(verifyDocument(report)) : renderVerify(report)}\n`)
  const diffs = report.diffs
  if (diffs.total > 0) {
    const where = Object.entries(diffs.byTable)
      .map(([t, c]) => `${t} ${[c.missing && `${c.missing} missing`, c.extra && `${c.extra} extra`, c.field && `${c.field} fields`].filter(Boolean).join("/")}`)
      .join(", ")
    throw new UserFacingError(`v3 differs from the legacy database: ${diffs.total} differences (${where}); first: ${describeDifference(diffs.first[0]!)}`)
  }
}
