import { decodeCursor, encodeCursor, type IdPrefix, isId } from "@pushbunny/core";
import { BadRequestError } from "../errors";

/**
 * The position a list's `cursor` names, decoded with core's codec, or undefined without one; a
 * cursor the endpoint did not issue is the same 400 on every list.
 */
export function readCursor<const T extends readonly ("string" | "number")[]>(
  cursor: string | undefined,
  shape: T,
  accept: (values: { [K in keyof T]: T[K] extends "number" ? number : string }) => boolean = () => true,
): { [K in keyof T]: T[K] extends "number" ? number : string } | undefined {
  if (cursor === undefined) return undefined;
  const values = decodeCursor(cursor, shape);
  if (!values || !accept(values)) {
    throw BadRequestError.fromIssues([
      { path: "cursor", message: "is not one this endpoint returned: pass next_cursor back as is" },
    ]);
  }
  return values;
}

/**
 * One page of a keyset list: reads one row more than it returns, so it knows whether another
 * page follows, and names the last row in the next cursor.
 */
export async function keysetPage<R>(
  limit: number,
  max: number,
  read: (take: number) => Promise<R[]>,
  cursorOf: (last: R) => (string | number)[],
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const take = Math.min(Math.max(Math.trunc(limit) || 1, 1), max);
  const rows = await read(take + 1);
  const page = rows.slice(0, take);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > take && last ? encodeCursor(cursorOf(last)) : null };
}

/** A newest-first page of rows keyed on (created_at, id), whose cursor must name an id of `prefix`. */
export function newestFirstPage<R extends { createdAt: number; id: string }>(
  input: { limit: number; cursor?: string },
  prefix: IdPrefix,
  read: (q: { limit: number; after?: { createdAt: number; id: string } }) => Promise<R[]>,
  max = 100,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isId(id, prefix));
  return keysetPage(
    input.limit,
    max,
    (limit) => read({ limit, after: after && { createdAt: after[0], id: after[1] } }),
    (last) => [last.createdAt, last.id],
  );
}
