import { decodeBase64Url, encodeBase64Url } from "./encoding";

export type CursorValue = string | number;

/**
 * An opaque page cursor: the sort key of the last row returned, as unpadded base64url JSON, so a
 * client pastes it into a query string as is. Every list endpoint uses this one codec.
 */
export function encodeCursor(values: readonly CursorValue[]): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(values)));
}

/**
 * The values of a cursor that `encodeCursor` made with the same shape (`"string"` / `"number"`
 * per position), or null for anything else: a client's edit, another endpoint's cursor, junk.
 */
export function decodeCursor<const T extends readonly ("string" | "number")[]>(
  text: string,
  shape: T,
): { [K in keyof T]: T[K] extends "number" ? number : string } | null {
  const bytes = decodeBase64Url(text);
  if (!bytes) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length) return null;
  for (let i = 0; i < shape.length; i++) {
    const v: unknown = parsed[i];
    if (shape[i] === "number" ? typeof v !== "number" || !Number.isFinite(v) : typeof v !== "string") {
      return null;
    }
  }
  return parsed as { [K in keyof T]: T[K] extends "number" ? number : string };
}
