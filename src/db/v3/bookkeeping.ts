import { sql } from "drizzle-orm"
import { bigint, boolean, customType, index, integer, jsonb, pgSchema, primaryKey, text, timestamp } from "drizzle-orm/pg-core"
import { products } from "./schema"

/**
 * The pipeline's own tables, kept apart from the contract's tables in schema `migration`
 * (MAPPING.md leaves bookkeeping tables to the project).
 */
export const migrationSchema = pgSchema("migration")

/** Byte-wise ordering, so max() over a recencyKey picks what src/mapping means by "latest". */
const orderedText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' })

/**
 * Which provider each migrated product names, with the name/verified it claims. A provider's
 * name and verified come from the claim with the greatest claim_key (MAPPING.md, Provider), so
 * the result does not depend on the order products are loaded in.
 */
export const providerClaims = migrationSchema.table(
  "provider_claims",
  {
    productId: text("product_id")
      .primaryKey()
      .references(() => products.id, { onDelete: "cascade" }),
    providerId: text("provider_id").notNull(),
    claimKey: orderedText("claim_key").notNull(),
    name: text().notNull(),
    verified: boolean().notNull(),
  },
  (t) => [index("provider_claims_provider_idx").on(t.providerId, t.claimKey)],
)

/**
 * What each loader last wrote for a legacy group (one raw external_id), as the change
 * signatures extract read with the rows. A daily run re-migrates exactly the groups whose
 * current legacy signatures differ. Each loader writes its own column in its own transaction,
 * so a group whose histories never loaded is still seen as changed.
 */
export const groupState = migrationSchema.table("group_state", {
  externalId: orderedText("external_id").primaryKey(),
  productsSig: text("products_sig"),
  historiesSig: text("histories_sig"),
  multimediaSig: text("multimedia_sig"),
  /** The run whose load recorded histories_sig: a daily plan's carry-over (src/extract/plan-since.ts). */
  historiesRun: text("histories_run"),
  /** The run whose load-products recorded products_sig (src/extract/plan-totals.ts). */
  productsRun: text("products_run"),
  /**
   * The row count histories_sig holds ('x<count>:<sum>', src/extract/sql.ts signatureOf): 0 for
   * none, null for a signature of another form. Stored, so a daily plan does not parse 400k
   * signatures (0.15 s of v3 CPU at 400k products).
   */
  historiesCount: bigint("histories_count", { mode: "number" }).generatedAlwaysAs(
    sql`CASE WHEN histories_sig IS NULL THEN 0 WHEN histories_sig ~ '^x[0-9]+:' THEN split_part(substr(histories_sig, 2), ':', 1)::bigint END`,
  ),
  /** The product count products_sig holds, as histories_count (src/extract/plan-totals.ts). */
  productsCount: bigint("products_count", { mode: "number" }).generatedAlwaysAs(
    sql`CASE WHEN products_sig IS NULL THEN 0 WHEN products_sig ~ '^x[0-9]+:' THEN split_part(substr(products_sig, 2), ':', 1)::bigint END`,
  ),
})

/**
 * The parts of a group too large for one stream entry (its rows split across entries): each
 * part's loader notes its part here, and the one that completes the set records the group's
 * signature in group_state (src/load/group-state.ts).
 */
export const groupParts = migrationSchema.table(
  "group_parts",
  {
    externalId: orderedText("external_id").notNull(),
    /** The group_state column the parts complete (histories_sig, multimedia_sig). */
    state: text().notNull(),
    sig: text().notNull(),
    part: integer().notNull(),
    parts: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.externalId, t.state, t.sig, t.part] })],
)

/**
 * Rows the v3 database refused (a value, a constraint, a trigger), per product and table, with
 * the database's error: verify names them, and a later load of the product clears them.
 */
export const refused = migrationSchema.table(
  "refused",
  {
    productId: text("product_id").notNull(),
    /** products, histories or multimedia. */
    tableName: text("table_name").notNull(),
    error: text().notNull(),
    runId: text("run_id").notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.tableName] })],
)

/**
 * A first full load into an empty v3 loads histories and multimedia without their keys and
 * foreign keys, and builds them once at the end, as pg_restore does (src/load/bulk.ts). While
 * that lasts, this one row holds the run and the definitions to rebuild.
 */
export const bulkLoad = migrationSchema.table("bulk_load", {
  id: integer().primaryKey(),
  runId: text("run_id").notNull(),
  /** [{ table, name, def }] as pg_get_constraintdef gave them, primary keys first, foreign keys last. */
  constraints: jsonb().notNull(),
  /** [{ name, def }] of other indexes, as pg_indexes gave them. */
  indexes: jsonb().notNull(),
})

/** Which products' rows (per table, per part of a split group) the bulk load wrote: it writes each once. */
export const bulkLoaded = migrationSchema.table(
  "bulk_loaded",
  {
    tableName: text("table_name").notNull(),
    productId: text("product_id").notNull(),
    part: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.productId, t.part] })],
)

/** One row per run of `migrate`: kind, outcome and the summary status shows. */
export const runs = migrationSchema.table("runs", {
  id: text().primaryKey(),
  kind: text().notNull(),
  status: text().notNull(),
  testMode: boolean("test_mode").notNull(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  summary: jsonb(),
})

/** The groups an incremental run must re-migrate, with the uuids of their products. */
export const planKeys = migrationSchema.table(
  "plan_keys",
  {
    runId: text("run_id").notNull(),
    externalId: orderedText("external_id").notNull(),
    uuids: text().array().notNull(),
    /**
     * Planned before the plan's full comparison: a group with history rows written since the
     * last run, which extract starts on while the rest is compared (src/extract/plan-early.ts).
     */
    early: boolean().notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.runId, t.externalId] })],
)
