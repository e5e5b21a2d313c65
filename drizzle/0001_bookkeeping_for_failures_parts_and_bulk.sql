CREATE TABLE "migration"."bulk_load" (
	"id" integer PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"constraints" jsonb NOT NULL,
	"indexes" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "migration"."bulk_loaded" (
	"table_name" text NOT NULL,
	"product_id" text NOT NULL,
	"part" integer NOT NULL,
	CONSTRAINT "bulk_loaded_table_name_product_id_part_pk" PRIMARY KEY("table_name","product_id","part")
);
--> statement-breakpoint
CREATE TABLE "migration"."group_parts" (
	"external_id" text COLLATE "C" NOT NULL,
	"state" text NOT NULL,
	"sig" text NOT NULL,
	"part" integer NOT NULL,
	"parts" integer NOT NULL,
	CONSTRAINT "group_parts_external_id_state_sig_part_pk" PRIMARY KEY("external_id","state","sig","part")
);
--> statement-breakpoint
CREATE TABLE "migration"."refused" (
	"product_id" text NOT NULL,
	"table_name" text NOT NULL,
	"error" text NOT NULL,
	"run_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refused_product_id_table_name_pk" PRIMARY KEY("product_id","table_name")
);
