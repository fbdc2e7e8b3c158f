import { integer } from "drizzle-orm/sqlite-core";

/** created_at / updated_at as UTC milliseconds. */
export const timestamps = {
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
};
