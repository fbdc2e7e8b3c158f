import { z } from "@hono/zod-openapi";
import {
  CONTACT_STATUSES,
  type ContactImportRow,
  SUPPRESSION_REASONS,
  type SuppressionRow,
} from "@pushbunny/db";
import type { Contact } from "../../../services/contacts/lib/contact";
import { isWellFormed, LocaleTag, WELL_FORMED } from "../../schemas";
import { iso, PathId } from "../push/shared";

/** Text the store takes as given: valid Unicode without NUL (D1 and SQLite's JSON functions refuse both). */
export const storableText = (value: string) => isWellFormed(value) && !value.includes("\u0000");
export const STORABLE = "must be valid Unicode without NUL characters";

export const ContactIdParam = z.object({ contact_id: PathId("contact_id", "ctc_0a1b2c3d4e5f60718293") });
export const ImportIdParam = z.object({ import_id: PathId("import_id", "cim_0a1b2c3d4e5f60718293") });

export const ContactStatus = z.enum(CONTACT_STATUSES).openapi({
  description: "subscribed, or suppressed: unsubscribed, bounced, complained",
  example: "subscribed",
});

export const ContactEmail = z.string().max(320).refine(isWellFormed, WELL_FORMED).openapi({
  description: "Normalised: trimmed, lowercased, IDN domains in punycode",
  example: "ada@example.com",
});

export const ContactName = z.string().trim().max(200).refine(storableText, STORABLE).nullable();

export const TimeZone = z
  .string()
  .trim()
  .max(64)
  .transform((value, ctx) => {
    try {
      return new Intl.DateTimeFormat("en", { timeZone: value }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({
        code: "custom",
        message: `'${value.slice(0, 64)}' is not an IANA time zone (Europe/Paris)`,
      });
      return z.NEVER;
    }
  })
  .openapi({ type: "string", example: "Europe/Paris" });

export const Attributes = z
  .record(
    z.string(),
    z.union([z.string().max(2_000).refine(storableText, STORABLE), z.number(), z.boolean()]),
  )
  .openapi({
    description: "Keys of a-z 0-9 _ (at most 100, 8 KB as JSON); values strings, numbers or booleans",
    example: { plan: "pro", seats: 5 },
  });

export const ContactView = z
  .object({
    contact_id: z.string().openapi({ example: "ctc_0a1b2c3d4e5f60718293" }),
    email: z.string().openapi({ example: "ada@example.com" }),
    name: z.string().nullable(),
    locale: z.string().nullable().openapi({ example: "en-GB" }),
    time_zone: z.string().nullable().openapi({ example: "Europe/London" }),
    attributes: Attributes,
    status: ContactStatus,
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Contact");

export const contactView = (c: Contact): z.infer<typeof ContactView> => ({
  contact_id: c.id,
  email: c.email,
  name: c.name,
  locale: c.locale,
  time_zone: c.timeZone,
  attributes: c.attributes,
  status: c.status,
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});

export const contactResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ContactView } },
});

export const ContactImportView = z
  .object({
    import_id: z.string().openapi({ example: "cim_0a1b2c3d4e5f60718293" }),
    status: z.enum(["queued", "processing", "done", "failed"]),
    rows_done: z.number().int(),
    rows_total: z
      .number()
      .int()
      .openapi({ description: "Counted from line breaks at upload; exact once done" }),
    bytes_total: z.number().int(),
    inserted: z.number().int(),
    updated: z.number().int(),
    skipped: z.number().int().openapi({ description: "Rows with errors (see the errors CSV)" }),
    suppressed: z.number().int().openapi({ description: "Rows whose address is suppressed: not written" }),
    duplicates: z
      .number()
      .int()
      .openapi({ description: "Rows repeated later in the same chunk (last one wins)" }),
    error_count: z.number().int(),
    failure: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
    finished_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("ContactImport");

export const importView = (r: ContactImportRow): z.infer<typeof ContactImportView> => ({
  import_id: r.id,
  status: r.status,
  rows_done: r.rowsDone,
  rows_total: r.rowsTotal,
  bytes_total: r.bytesTotal,
  inserted: r.inserted,
  updated: r.updated,
  skipped: r.skipped,
  suppressed: r.suppressed,
  duplicates: r.duplicates,
  error_count: r.errorCount,
  failure: r.failure,
  created_at: iso(r.createdAt),
  updated_at: iso(r.updatedAt),
  finished_at: iso(r.finishedAt),
});

export const SuppressionView = z
  .object({
    email: z.string().openapi({ example: "ada@example.com" }),
    reason: z.enum(SUPPRESSION_REASONS),
    source: z.string().openapi({
      description: "api, one_click, unsubscribe_page, preferences (or a provider webhook)",
      example: "one_click",
    }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Suppression");

export const suppressionView = (r: SuppressionRow): z.infer<typeof SuppressionView> => ({
  email: r.email,
  reason: r.reason,
  source: r.source,
  created_at: iso(r.createdAt),
});

export { LocaleTag };
