import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const CONTACT_STATUSES = ["subscribed", "unsubscribed", "bounced", "complained"] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** Attribute values a contact may carry (import writes strings; the API also takes numbers and booleans). */
export type ContactAttributes = Record<string, string | number | boolean>;

/**
 * A project's email contacts, unique on the normalised address (packages/email normalizeEmail).
 * Any status but `subscribed` has a row in `suppressions` too, which is what imports and sends check.
 */
export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    email: text("email").notNull(),
    name: text("name"),
    locale: text("locale"),
    timeZone: text("time_zone"),
    attributes: text("attributes", { mode: "json" }).$type<ContactAttributes>().notNull().default({}),
    status: text("status", { enum: CONTACT_STATUSES }).notNull().default("subscribed"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("contacts_email_uq").on(t.projectId, t.email),
    index("contacts_created_idx").on(t.projectId, t.createdAt, t.id),
  ],
);

export const SUPPRESSION_REASONS = ["unsubscribed", "bounced", "complained", "manual"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * Addresses never to mail, per project, kept when the contact is deleted: an import or a create
 * for a suppressed address never makes it `subscribed` again.
 */
export const suppressions = sqliteTable(
  "suppressions",
  {
    projectId: text("project_id").notNull(),
    email: text("email").notNull(),
    reason: text("reason", { enum: SUPPRESSION_REASONS }).notNull(),
    /** What put it there: `api`, `import`, `unsubscribe_link`, `preferences`, a provider webhook. */
    source: text("source").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.email] })],
);

export const IMPORT_STATUSES = ["queued", "processing", "done", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** Resume point of an import: records consumed (header = 1), the byte offset after them, the delimiter. */
export interface ImportCursor {
  row: number;
  byte: number;
  delimiter: string;
}

/**
 * A CSV import: the file sits in R2 under `objectKey`; the jobs queue processes it chunk by chunk.
 * `chunk` counts committed chunks: a chunk's writes are applied only while it still equals the
 * number the worker read, so a redelivered or concurrent run never counts a chunk twice.
 */
export const contactImports = sqliteTable(
  "contact_imports",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    status: text("status", { enum: IMPORT_STATUSES }).notNull(),
    objectKey: text("object_key").notNull(),
    /** The header mapping (packages/email HeaderMapping). */
    mapping: text("mapping", { mode: "json" }).$type<unknown>().notNull(),
    cursor: text("cursor", { mode: "json" }).$type<ImportCursor>().notNull(),
    chunk: integer("chunk").notNull().default(0),
    bytesTotal: integer("bytes_total").notNull(),
    /** Line count at upload (an estimate: quoted line breaks and blank lines count); exact once done. */
    rowsTotal: integer("rows_total").notNull(),
    rowsDone: integer("rows_done").notNull().default(0),
    inserted: integer("inserted").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    suppressed: integer("suppressed").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    errorCount: integer("error_count").notNull().default(0),
    failure: text("failure"),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("contact_imports_project_idx").on(t.projectId, t.createdAt)],
);

/** Per-row problems of an import, kept up to a bound (the count in `error_count` is complete). */
export const contactImportErrors = sqliteTable(
  "contact_import_errors",
  {
    importId: text("import_id").notNull(),
    row: integer("row").notNull(),
    field: text("field").notNull(),
    message: text("message").notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.row, t.field] })],
);

/** A saved filter over contacts (the JSON is validated and compiled to SQL by the Worker). */
export const segments = sqliteTable(
  "segments",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id").notNull(),
    name: text("name").notNull(),
    filter: text("filter", { mode: "json" }).$type<unknown>().notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("segments_project_idx").on(t.projectId, t.createdAt, t.id)],
);

export type ContactRow = typeof contacts.$inferSelect;
export type NewContactRow = typeof contacts.$inferInsert;
export type SuppressionRow = typeof suppressions.$inferSelect;
export type ContactImportRow = typeof contactImports.$inferSelect;
export type ContactImportErrorRow = typeof contactImportErrors.$inferSelect;
export type SegmentRow = typeof segments.$inferSelect;
