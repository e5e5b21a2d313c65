import * as Redacted from "effect/Redacted"
import type { Redis } from "ioredis"
import type pg from "pg"
import { intOption, parseArgs } from "../cli/args"
import { readSettings, SettingError } from "../config/load"
import { openPool } from "../db/connect"
import { testModeSelection } from "../extract/test-mode"
import type { Logger } from "../log/logger"
import { mappingConfig } from "../mapping/config"
import { UsageError, UserFacingError } from "../runtime/errors"
import { isStage, stageNames } from "../pipeline/stages"
import type { StreamKeys } from "../streams/keys"
import { listLetters, renderList } from "./list"
import { purgeLetters } from "./delete"
import { renderRetry } from "./report"
import { retryLetters } from "./retry"
import { isEmptyFilter, type LetterFilter } from "./select"


export interface DlqCommand {
  action: "list" | "retry" | "purge"
  filter: LetterFilter
  limit: number
  json: boolean
  payload: boolean
  yes: boolean
}

export function parseDlqArgs(args: readonly string[]): DlqCommand {
  const p = parseArgs(args, {
    command: "npm run dlq --",
    flags: ["--json", "--yes", "--payload"],
    values: ["--stage", "--reason", "--entity", "--limit"],
    lists: ["--id"],
    positional: 1,
  })
  const action = p.positional[0]
  if (action !== "list" && action !== "retry" && action !== "purge") {
    throw new UsageError(`${action ? `unknown command '${action}'` : "no command given"}: use list, retry or purge (npm run dlq -- --help)`)
  }
  const stage = p.values.get("--stage")
  if (stage !== undefined && !isStage(stage)) throw new UsageError(`--stage '${stage}' is not a stage; stages are ${stageNames.join(", ")}`)
  if (p.lists.has("--id") && action === "list") throw new UsageError("--id is for retry and purge; list filters with --stage, --reason, --entity")
  if (p.values.has("--limit") && action !== "list") throw new UsageError("--limit is for list; narrow retry and purge with filters or --id")
  const filter: LetterFilter = {
    ...(stage !== undefined ? { stage } : {}),
    ...(p.values.has("--reason") ? { reason: p.values.get("--reason")! } : {}),
    ...(p.values.has("--entity") ? { entity: p.values.get("--entity")! } : {}),
    ...(p.lists.has("--id") ? { ids: p.lists.get("--id")! } : {}),
  }
  return { action, filter, limit: intOption(p, "--limit", 50, 1, 100_000), json: p.flags.has("--json"), payload: p.flags.has("--payload"), yes: p.flags.has("--yes") }
}

/** Opens the legacy database only when a rows letter needs it; its settings are read then, not before. */
function lazyLegacy(log: Logger) {
  let pool: pg.Pool | undefined
  const open = async () => {
    let s
    try {
      s = readSettings(["oldDatabaseUrl", "excludedPlatforms"])
    } catch (err) {
      if (err instanceof SettingError) throw new UsageError(`${err.message}; it is needed to re-extract rejected rows`)
      throw err
    }
    pool = await openPool({ url: Redacted.value(s.oldDatabaseUrl), what: "the legacy database", setting: "OLD_DATABASE_URL", appName: "dlq", max: 3, readOnly: true, log })
    const legacyPool = pool
    // TEST_MODE re-extraction takes the products the TEST_MODE run took (src/extract/test-mode.ts).
    const mapping = mappingConfig({ excludedPlatforms: s.excludedPlatforms })
    return { pool: legacyPool, testSelection: () => testModeSelection(legacyPool, mapping) }
  }
  return { open, close: async () => pool?.end() }
}

const out = (text: string) => process.stdout.write(`${text}\n`)

export async function runDlq(cmd: DlqCommand, client: Redis, keys: StreamKeys, log: Logger): Promise<void> {
  if (cmd.action === "list") {
    const r = await listLetters(client, keys, cmd.filter, cmd.limit, cmd.payload)
    out(cmd.json ? JSON.stringify({ version: 1, matched: r.matched, letters: r.letters }) : renderList(r))
    return
  }
  if (cmd.action === "purge") {
    if (isEmptyFilter(cmd.filter) && !cmd.yes) {
      throw new UsageError("refusing to purge every dead letter: add --yes, or narrow it with --stage, --reason, --entity or --id")
    }
    const r = await purgeLetters(client, keys, cmd.filter)
    out(cmd.json ? JSON.stringify({ version: 1, purged: r.letters, rows: r.rows }) : `purged ${r.letters} dead letters (${r.rows} rows)`)
    return
  }
  const legacy = lazyLegacy(log)
  try {
    const r = await retryLetters({ client, keys, legacy: legacy.open }, cmd.filter)
    out(cmd.json ? JSON.stringify({ version: 1, ...r }) : renderRetry(r))
    if (r.skipped.length > 0 && r.retried.length === 0) throw new UserFacingError(`${r.skipped.length} matching letters could not be re-published: see above`)
  } finally {
    await legacy.close()
  }
}
