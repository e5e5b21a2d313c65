import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres"
import { Context, Effect, Layer, Redacted } from "effect"
import type pg from "pg"
import type { Logger } from "../../log/logger"
import type { UnreachableError } from "../../runtime/errors"
import { openPool } from "../connect"
import * as bookkeeping from "./bookkeeping"
import * as schema from "./schema"

export const v3Schema = { ...schema, ...bookkeeping }
export type V3Database = NodePgDatabase<typeof v3Schema>

/** The v3 database the loaders write to. */
export class V3Db extends Context.Service<V3Db, { readonly pool: pg.Pool; readonly db: V3Database }>()("migrator/db/V3Db") {
  static layer(url: Redacted.Redacted<string>, log: Logger, appName: string, max = 4) {
    return Layer.effect(
      V3Db,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => openPool({ url: Redacted.value(url), what: "the v3 database", setting: "PRODUCTS_DATABASE_URL", appName, max, log }),
          catch: (err) => err as UnreachableError,
        }),
        (pool) => Effect.promise(() => pool.end()),
      ).pipe(Effect.map((pool) => V3Db.of({ pool, db: drizzle(pool, { schema: v3Schema }) }))),
    )
  }
}
