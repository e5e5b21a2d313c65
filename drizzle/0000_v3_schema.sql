CREATE SCHEMA "migration";
--> statement-breakpoint
CREATE TYPE "public"."platform_type" AS ENUM('DROPI', 'ALICLICK', 'DROPLATAM', 'SEVENTY_BLOCK', 'WIMPY', 'EASYDROP', 'MASTERSHOP', 'DROPEA');--> statement-breakpoint
CREATE TYPE "public"."product_status" AS ENUM('ACTIVE', 'INACTIVE', 'BLOCKED');--> statement-breakpoint
CREATE TABLE "base_categories" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "base_categories_name_key" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "countries" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"currency" text NOT NULL,
	CONSTRAINT "countries_code_key" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "histories" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"date" date NOT NULL,
	"stock" double precision NOT NULL,
	"sale_price" double precision NOT NULL,
	"suggested_price" double precision NOT NULL,
	"sold_units" double precision NOT NULL,
	"billing" double precision NOT NULL,
	"sold_units_last_7_days" double precision NOT NULL,
	"sold_units_last_30_days" double precision NOT NULL,
	"total_sold_units" double precision NOT NULL,
	"billing_last_7_days" double precision NOT NULL,
	"billing_last_30_days" double precision NOT NULL,
	"total_billing" double precision NOT NULL,
	"stock_adjustment" boolean NOT NULL,
	"stock_adjustment_reason" text,
	"filled" boolean NOT NULL,
	CONSTRAINT "histories_product_id_date_key" UNIQUE("product_id","date")
);
--> statement-breakpoint
CREATE TABLE "multimedia" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"position" integer NOT NULL,
	"type" text NOT NULL,
	"url" text NOT NULL,
	"original_url" text,
	"extracted" boolean NOT NULL,
	CONSTRAINT "multimedia_product_id_position_key" UNIQUE("product_id","position")
);
--> statement-breakpoint
CREATE TABLE "platform_countries" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_id" text NOT NULL,
	"country_id" text NOT NULL,
	CONSTRAINT "platform_countries_platform_id_country_id_key" UNIQUE("platform_id","country_id")
);
--> statement-breakpoint
CREATE TABLE "platforms" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"type" "platform_type" NOT NULL,
	CONSTRAINT "platforms_type_key" UNIQUE("type")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"sale_price" double precision NOT NULL,
	"suggested_price" double precision NOT NULL,
	"stock" double precision NOT NULL,
	"total_billing" double precision NOT NULL,
	"billing_last_7_days" double precision NOT NULL,
	"billing_last_30_days" double precision NOT NULL,
	"total_sold_units" double precision NOT NULL,
	"sold_units_last_7_days" double precision NOT NULL,
	"sold_units_last_30_days" double precision NOT NULL,
	"variations_amount" integer NOT NULL,
	"score" integer NOT NULL,
	"status" "product_status" NOT NULL,
	"platform_country_id" text NOT NULL,
	"base_category_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"created_at" timestamp (3) NOT NULL,
	"updated_at" timestamp (3) NOT NULL,
	CONSTRAINT "products_external_id_platform_country_id_key" UNIQUE("external_id","platform_country_id")
);
--> statement-breakpoint
CREATE TABLE "providers" (
	"id" text PRIMARY KEY NOT NULL,
	"platform_country_id" text NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"verified" boolean NOT NULL,
	CONSTRAINT "providers_external_id_platform_country_id_key" UNIQUE("external_id","platform_country_id")
);
--> statement-breakpoint
CREATE TABLE "migration"."group_state" (
	"external_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"products_sig" text,
	"histories_sig" text,
	"multimedia_sig" text
);
--> statement-breakpoint
CREATE TABLE "migration"."plan_keys" (
	"run_id" text NOT NULL,
	"external_id" text COLLATE "C" NOT NULL,
	"uuids" text[] NOT NULL,
	CONSTRAINT "plan_keys_run_id_external_id_pk" PRIMARY KEY("run_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "migration"."provider_claims" (
	"product_id" text PRIMARY KEY NOT NULL,
	"provider_id" text NOT NULL,
	"claim_key" text COLLATE "C" NOT NULL,
	"name" text NOT NULL,
	"verified" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "migration"."runs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"test_mode" boolean NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
ALTER TABLE "histories" ADD CONSTRAINT "histories_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "multimedia" ADD CONSTRAINT "multimedia_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_countries" ADD CONSTRAINT "platform_countries_platform_id_platforms_id_fk" FOREIGN KEY ("platform_id") REFERENCES "public"."platforms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "platform_countries" ADD CONSTRAINT "platform_countries_country_id_countries_id_fk" FOREIGN KEY ("country_id") REFERENCES "public"."countries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_platform_country_id_fkey" FOREIGN KEY ("platform_country_id") REFERENCES "public"."platform_countries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_base_category_id_fkey" FOREIGN KEY ("base_category_id") REFERENCES "public"."base_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "providers" ADD CONSTRAINT "providers_platform_country_id_platform_countries_id_fk" FOREIGN KEY ("platform_country_id") REFERENCES "public"."platform_countries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "migration"."provider_claims" ADD CONSTRAINT "provider_claims_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "products_provider_id_idx" ON "products" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "provider_claims_provider_idx" ON "migration"."provider_claims" USING btree ("provider_id","claim_key");