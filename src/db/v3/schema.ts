import {
  boolean,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core"
import { platformTypes, productStatuses } from "../../mapping/reference"

/** The v3 schema exactly as MAPPING.md gives it: table and column names are the contract. */
export const platformType = pgEnum("platform_type", platformTypes)
export const productStatus = pgEnum("product_status", productStatuses)

export const countries = pgTable("countries", {
  id: text().primaryKey(),
  code: text().notNull().unique("countries_code_key"),
  name: text().notNull(),
  currency: text().notNull(),
})

export const platforms = pgTable("platforms", {
  id: text().primaryKey(),
  name: text().notNull(),
  type: platformType().notNull().unique("platforms_type_key"),
})

export const baseCategories = pgTable("base_categories", {
  id: text().primaryKey(),
  name: text().notNull().unique("base_categories_name_key"),
})

export const platformCountries = pgTable(
  "platform_countries",
  {
    id: text().primaryKey(),
    platformId: text("platform_id").notNull().references(() => platforms.id),
    countryId: text("country_id").notNull().references(() => countries.id),
  },
  (t) => [unique("platform_countries_platform_id_country_id_key").on(t.platformId, t.countryId)],
)

export const providers = pgTable(
  "providers",
  {
    id: text().primaryKey(),
    platformCountryId: text("platform_country_id").notNull().references(() => platformCountries.id),
    externalId: text("external_id").notNull(),
    name: text().notNull(),
    verified: boolean().notNull(),
  },
  (t) => [unique("providers_external_id_platform_country_id_key").on(t.externalId, t.platformCountryId)],
)

const money = (name: string) => doublePrecision(name).notNull()

export const products = pgTable(
  "products",
  {
    id: text().primaryKey(),
    externalId: text("external_id").notNull(),
    name: text().notNull(),
    description: text(),
    salePrice: money("sale_price"),
    suggestedPrice: money("suggested_price"),
    stock: money("stock"),
    totalBilling: money("total_billing"),
    billingLast7Days: money("billing_last_7_days"),
    billingLast30Days: money("billing_last_30_days"),
    totalSoldUnits: money("total_sold_units"),
    soldUnitsLast7Days: money("sold_units_last_7_days"),
    soldUnitsLast30Days: money("sold_units_last_30_days"),
    variationsAmount: integer("variations_amount").notNull(),
    score: integer().notNull(),
    status: productStatus().notNull(),
    platformCountryId: text("platform_country_id").notNull(),
    baseCategoryId: text("base_category_id").notNull(),
    providerId: text("provider_id").notNull(),
    createdAt: timestamp("created_at", { precision: 3 }).notNull(),
    updatedAt: timestamp("updated_at", { precision: 3 }).notNull(),
  },
  (t) => [
    unique("products_external_id_platform_country_id_key").on(t.externalId, t.platformCountryId),
    foreignKey({ columns: [t.platformCountryId], foreignColumns: [platformCountries.id], name: "products_platform_country_id_fkey" }),
    foreignKey({ columns: [t.baseCategoryId], foreignColumns: [baseCategories.id], name: "products_base_category_id_fkey" }),
    foreignKey({ columns: [t.providerId], foreignColumns: [providers.id], name: "products_provider_id_fkey" }),
    // Lets provider clean-up find a provider's products without a scan.
    index("products_provider_id_idx").on(t.providerId),
  ],
)

export const multimedia = pgTable(
  "multimedia",
  {
    id: text().primaryKey(),
    productId: text("product_id").notNull(),
    position: integer().notNull(),
    type: text().notNull(),
    url: text().notNull(),
    originalUrl: text("original_url"),
    extracted: boolean().notNull(),
  },
  (t) => [
    unique("multimedia_product_id_position_key").on(t.productId, t.position),
    foreignKey({ columns: [t.productId], foreignColumns: [products.id], name: "multimedia_product_id_fkey" }),
  ],
)

export const histories = pgTable(
  "histories",
  {
    id: text().primaryKey(),
    productId: text("product_id").notNull(),
    date: date({ mode: "string" }).notNull(),
    stock: money("stock"),
    salePrice: money("sale_price"),
    suggestedPrice: money("suggested_price"),
    soldUnits: money("sold_units"),
    billing: money("billing"),
    soldUnitsLast7Days: money("sold_units_last_7_days"),
    soldUnitsLast30Days: money("sold_units_last_30_days"),
    totalSoldUnits: money("total_sold_units"),
    billingLast7Days: money("billing_last_7_days"),
    billingLast30Days: money("billing_last_30_days"),
    totalBilling: money("total_billing"),
    stockAdjustment: boolean("stock_adjustment").notNull(),
    stockAdjustmentReason: text("stock_adjustment_reason"),
    filled: boolean().notNull(),
  },
  (t) => [
    unique("histories_product_id_date_key").on(t.productId, t.date),
    foreignKey({ columns: [t.productId], foreignColumns: [products.id], name: "histories_product_id_fkey" }),
  ],
)
