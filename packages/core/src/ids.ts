const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export type IdPrefix = "prj" | "key" | "exp" | "var" | "imp" | "evt" | "dlq" | "req" | "ing";

/** Random lowercase hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = "";
  for (const b of buf) out += HEX[b];
  return out;
}

/**
 * A prefixed random id (`var_3f9a…`). Variants keep upstream's `var_` + 12 hex shape; rows
 * that are minted per request (impressions, events) get 80 bits so collisions stay negligible
 * at billions of rows.
 */
export function newId(prefix: IdPrefix, bytes = prefix === "var" ? 6 : 10): string {
  return `${prefix}_${randomHex(bytes)}`;
}

const ID_SHAPE = /^[a-z]{3}_[0-9a-z]{1,64}$/;

/** True when `value` looks like an id we minted (safe inside tokens and keys). */
export function isId(value: string): boolean {
  return ID_SHAPE.test(value);
}
