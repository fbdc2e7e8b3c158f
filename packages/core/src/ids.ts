const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export type IdPrefix =
  | "prj"
  | "key"
  | "exp"
  | "var"
  | "imp"
  | "sim"
  | "dlq"
  | "req"
  | "hst"
  | "ana"
  | "prp"
  | "cha"
  | "asr"
  | "vap"
  | "sub"
  | "ntf"
  | "dlv"
  | "usr"
  | "idn"
  | "ses"
  | "rtk"
  | "etk"
  | "inv"
  | "aud"
  | "eml"
  | "alr"
  | "ain"
  | "ctc"
  | "cim"
  | "seg"
  | "tpl"
  | "cmp"
  | "emm";

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

// Nine base-36 digits hold every millisecond until the year 5188, so ids stay sortable.
const TIME_DIGITS = 9;

/**
 * A prefixed id that sorts by creation time: `imp_` + the millisecond in base 36 (zero-padded)
 * + 80 random bits. Rows keyed by such ids are inserted at the right edge of their index, where
 * the pages are already in cache, instead of on a random page of an ever larger table.
 */
export function newTimeId(prefix: IdPrefix, nowMs: number): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(36).padStart(TIME_DIGITS, "0");
  return `${prefix}_${time}${randomHex(10)}`;
}

/** The shape of every id: a three-letter prefix, `_`, then 1–64 lowercase letters or digits. */
export const ID_PATTERN = /^[a-z]{3}_[0-9a-z]{1,64}$/;

/** True when `value` looks like an id we minted (safe inside tokens and keys). */
export function isId(value: string, prefix?: IdPrefix): boolean {
  return ID_PATTERN.test(value) && (prefix === undefined || value.startsWith(`${prefix}_`));
}

/** A secret token: `prefix` + 32 random bytes in base64url (256 bits), for links and refresh tokens. */
export function newSecretToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return prefix + btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
