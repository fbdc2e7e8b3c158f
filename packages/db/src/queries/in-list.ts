import { type AnyColumn, type SQL, sql } from "drizzle-orm";

/**
 * `column IN (…values)` with the whole list bound as one JSON-array parameter. D1 binds at most
 * 100 parameters per statement, so `inArray` over a list built from data (a page of 100 ids, an
 * intent's locales) fails past that; SQLite still probes the column's index once per value.
 */
export function inJsonList(column: AnyColumn, values: readonly string[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
