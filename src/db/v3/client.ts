import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type pg from "pg"
import type { Logger } from "../../log/logger"
import { acquirePool } from "../connect"

/**
 * The v3 database the loaders write to. The loaders speak SQL to it through the pool (bulk
 * unnest/COPY statements drizzle does not model); the Drizzle schema in this folder defines the
 * tables and generates the migrations.
 */
export class V3Db extends Context.Service<V3Db, { readonly pool: pg.Pool }>()("migrator/db/V3Db") {
  static layer(url: Redacted.Redacted<string>, log: Logger, appName: string, max = 4) {
    const pool = acquirePool({ url: Redacted.value(url), what: "the v3 database", setting: "PRODUCTS_DATABASE_URL", appName, max, log })
    return Layer.effect(V3Db, pool.pipe(Effect.map((p) => V3Db.of({ pool: p }))))
  }
}
