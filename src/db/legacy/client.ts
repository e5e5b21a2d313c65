import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type pg from "pg"
import type { Logger } from "../../log/logger"
import { acquirePool } from "../connect"

/** The legacy database: read only by construction (every session defaults to read-only transactions). */
export class LegacyDb extends Context.Service<LegacyDb, { readonly pool: pg.Pool }>()("migrator/db/LegacyDb") {
  static layer(url: Redacted.Redacted<string>, log: Logger, appName: string, max = 4) {
    const pool = acquirePool({ url: Redacted.value(url), what: "the legacy database", setting: "OLD_DATABASE_URL", appName, max, readOnly: true, log })
    return Layer.effect(LegacyDb, pool.pipe(Effect.map((p) => LegacyDb.of({ pool: p }))))
  }
}
