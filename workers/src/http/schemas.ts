import { z } from "@hono/zod-openapi";
import { strayBraces } from "@pushbunny/core";
import { ERROR_STATUS } from "../errors";

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.enum(
        Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]],
      ),
      message: z.string(),
      requestId: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

/** The error responses every authenticated JSON route can return. */
export const commonErrors = {
  400: errorResponse("Invalid request: `issues` lists each field problem"),
  401: errorResponse("Missing, invalid, expired or revoked API key or access token"),
  403: errorResponse("The key lacks the scope, or the person's role does not allow this"),
  413: errorResponse("Body or list too large"),
  429: errorResponse("Rate limit or quota spent; retry after `Retry-After` seconds"),
  500: errorResponse("Unexpected error (logged with the request id)"),
} as const;

export const notFound = { 404: errorResponse("Not found") } as const;
export const unavailable = {
  503: errorResponse("A dependency is unavailable; retry after `Retry-After` seconds"),
} as const;

export const BEARER = [{ bearerAuth: [] }];

// In a /u regex a surrogate pair is one code point outside this range: only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when a string is well-formed UTF-16 (it can be stored, hashed and encoded as UTF-8). */
export const isWellFormed = (value: string) => !LONE_SURROGATE.test(value);
export const WELL_FORMED = "must be valid Unicode (a lone surrogate such as \\ud800 is not)";

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** An intent id as every route takes it (the message engine keys experiments by it). */
export const IntentId = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(128)
  .refine((v) => !CONTROL_CHARS.test(v), "must not contain control characters")
  .refine(isWellFormed, WELL_FORMED)
  .openapi({ example: "cart_abandonment" });

// Campaign subject lines (`email:<campaign>`) and web experiments (`web:<key>`) ride the engine
// under these intents; copy served by intent must never draw from them or count toward them.
const RESERVED_INTENT = /^(email|web):/i;

/** An intent copy is served for (message, resolve, push): the engine's reserved namespaces refused. */
export const ServedIntentId = IntentId.refine(
  (v) => !RESERVED_INTENT.test(v),
  "intents starting with 'email:' or 'web:' are reserved for campaigns and web experiments",
).openapi({ example: "cart_abandonment" });

/**
 * What every piece of copy end users may see must pass: valid Unicode, and only well-formed
 * `{{key}}` / `{{key|fallback}}` placeholders (anything else would reach them with its braces).
 */
export const copyChecks = z.superRefine((value: string, ctx) => {
  if (!isWellFormed(value)) ctx.addIssue({ code: "custom", message: WELL_FORMED });
  else if (strayBraces(value) !== null) {
    ctx.addIssue({
      code: "custom",
      message:
        "has a malformed placeholder: write {{key}} or {{key|fallback}}, with a key of letters, digits, _ . -",
    });
  }
});

/** The app's own copy for an intent: the control of its experiment. */
export const BaseExample = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(1_000)
  .check(copyChecks)
  .openapi({ example: "You left items in your cart" });

// A language subtag of 2–3 letters: Intl also accepts 5–8 letter "registered" subtags, so it
// would take "english" and generation would then fail on it forever.
const LANGUAGE = /^[a-z]{2,3}(-|$)/;

// Intl's canonicalization is ICU work on every /v1/message; apps send a handful of tags.
const canonicalLocales = new Map<string, string>();

/** A BCP-47 tag in canonical case (`en-us` → `en-US`), so one language maps to one pool. */
export const LocaleTag = z
  .string()
  .trim()
  .max(35)
  .transform((value, ctx) => {
    const known = canonicalLocales.get(value);
    if (known) return known;
    try {
      const [canonical] = Intl.getCanonicalLocales(value);
      if (canonical && LANGUAGE.test(canonical)) {
        if (canonicalLocales.size >= 1_000) canonicalLocales.clear();
        canonicalLocales.set(value, canonical);
        return canonical;
      }
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: "custom",
      message: `'${value}' is not a BCP 47 language tag: a 2–3 letter language, then optional script and region (en, en-US, zh-Hant-TW, es-419)`,
    });
    return z.NEVER;
  });

// Unix milliseconds from 2000-01-01 to 9999-12-31: seconds by mistake (1.7e9) fall below it.
const MIN_MS = 946_684_800_000;
const MAX_MS = 253_402_300_799_999;

/**
 * A point in time, accepted the same way on every route: an ISO 8601 date-time with a zone
 * (`2026-12-06T09:00:00Z`, `…+01:00`) or Unix milliseconds. Parsed to Unix milliseconds.
 */
export const Instant = z
  .union([
    z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
    z
      .number()
      .int("Unix milliseconds are a whole number")
      .min(MIN_MS, "Unix milliseconds after 2000 (seconds are not accepted)")
      .max(MAX_MS),
  ])
  .openapi({
    oneOf: [
      { type: "string", format: "date-time", example: "2026-12-06T09:00:00Z" },
      { type: "integer", description: "Unix milliseconds", example: 1_796_547_600_000 },
    ],
    description: "ISO 8601 date-time with a zone, or Unix milliseconds",
  });

/** A list's `cursor` query parameter: the previous page's next_cursor, passed back as is. */
export const PageCursor = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({ description: "next_cursor of the previous page" });
