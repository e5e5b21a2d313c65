import { defineConfig } from "drizzle-kit"

// Generates the committed SQL migrations from the v3 schema; `npm run db:migrate` applies them.
export default defineConfig({
  dialect: "postgresql",
  schema: ["./src/db/v3/schema.ts", "./src/db/v3/bookkeeping.ts"],
  out: "./drizzle",
  schemaFilter: ["public", "migration"],
})
