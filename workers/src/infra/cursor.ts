import { decodeCursor } from "@pushbunny/core";
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
