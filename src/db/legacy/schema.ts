import { sql } from "drizzle-orm"
import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, text, unique, uuid, varchar } from "drizzle-orm/pg-core"

/**
 * The legacy (v2) tables exactly as ../shared/spec/legacy-schema.sql defines them. The pipeline
 * only reads them; the definitions document the contract and type the demo-data generator.
 */
export const product = pgTable(
  "product",
  {
    uuid: uuid().primaryKey().default(sql`gen_random_uuid()`),
    platform: varchar().notNull().default("dropi"),
    country: varchar().notNull(),
    externalId: varchar("external_id").notNull(),
    name: varchar().notNull(),
    description: text(),
    salePrice: doublePrecision("sale_price").notNull(),
    suggestedPrice: doublePrecision("suggested_price").notNull().default(0),
    stock: doublePrecision().notNull().default(0),
    totalSalesAmount: doublePrecision("total_sales_amount").notNull().default(0),
    totalSoldUnits: doublePrecision("total_sold_units").notNull().default(0),
    salesLast7Days: doublePrecision("sales_last_7_days").notNull().default(0),
    salesLast30Days: doublePrecision("sales_last_30_days").notNull().default(0),
    soldUnitsLast7Days: doublePrecision("sold_units_last_7_days").notNull().default(0),
    soldUnitsLast30Days: doublePrecision("sold_units_last_30_days").notNull().default(0),
    variationsAmount: doublePrecision("variations_amount").notNull().default(0),
    score: integer().notNull().default(0),
    visible: boolean().notNull().default(true),
    categories: jsonb().notNull(),
    gallery: jsonb().notNull(),
    provider: jsonb().notNull(),
    createdAt: date("created_at").notNull(),
    updatedAt: date("updated_at").notNull(),
  },
  (t) => [
    unique("product_platform_country_external_id_key").on(t.platform, t.country, t.externalId),
    index("product_updated_at_idx").on(t.updatedAt),
  ],
)

export const history = pgTable(
  "history",
  {
    uuid: uuid().primaryKey().default(sql`gen_random_uuid()`),
    externalProductId: varchar("external_product_id").notNull(),
    country: varchar().notNull(),
    platform: varchar().notNull().default("dropi"),
    date: varchar().notNull(),
    stock: doublePrecision().notNull(),
    salePrice: doublePrecision("sale_price").notNull().default(0),
    salesAmount: doublePrecision("sales_amount").notNull().default(0),
    soldUnits: doublePrecision("sold_units").notNull().default(0),
    stockAdjustment: boolean("stock_adjustment").default(false),
    stockAdjustmentReason: varchar("stock_adjustment_reason"),
  },
  (t) => [index("idx_history_external_country_platform").on(t.externalProductId, t.country, t.platform)],
)
