import { Context, Effect, Layer, Redacted } from "effect"
import type pg from "pg"
import type { Logger } from "../../log/logger"
import type { UserFacingError } from "../../runtime/errors"
import { openPool } from "../connect"

/** The legacy database: read only by construction (every session defaults to read-only transactions). */
export class LegacyDb extends Context.Service<LegacyDb, { readonly pool: pg.Pool }>()("migrator/db/LegacyDb") {
  static layer(url: Redacted.Redacted<string>, log: Logger, appName: string, max = 4) {
    return Layer.effect(
      LegacyDb,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            openPool({ url: Redacted.value(url), what: "the legacy database", setting: "OLD_DATABASE_URL", appName, max, readOnly: true, log }),
          catch: (err) => err as UserFacingError,
        }),
        (pool) => Effect.promise(() => pool.end().catch(() => undefined)),
      ).pipe(Effect.map((pool) => LegacyDb.of({ pool }))),
    )
  }
}
