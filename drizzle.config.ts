import { defineConfig } from "drizzle-kit";

// Generated SQL lands flat in migrations/ for `wrangler d1 migrations apply`. Read every
// generated file: table rebuilds on D1 can cascade-delete child rows.
export default defineConfig({
  dialect: "sqlite",
  schema: "./packages/db/src/schema/index.ts",
  out: "./migrations",
});
