import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** A drizzle client over a D1 binding (the binding is passed in; this package reads no env). */
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof createDb>;

// D1 caps bound parameters per statement; bulk writes pass rows as one JSON parameter
// (json_each) in chunks small enough for D1's statement and value size limits.
export const JSON_ROWS_PER_STATEMENT = 400;

/** Splits `items` into arrays of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
