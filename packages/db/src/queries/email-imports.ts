import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { chunk, type Db, JSON_ROWS_PER_STATEMENT } from "../client";
import {
  type ContactImportRow,
  contactImportErrors,
  contactImports,
  contacts,
  type ImportCursor,
  suppressions,
} from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

// ---- imports ---------------------------------------------------------------------------------

export async function insertContactImport(db: Db, row: typeof contactImports.$inferInsert): Promise<void> {
  await db.insert(contactImports).values(row);
}

export async function findContactImport(
  db: Db,
  projectId: string,
  id: string,
): Promise<ContactImportRow | null> {
  const [row] = await db
    .select()
    .from(contactImports)
    .where(and(eq(contactImports.projectId, projectId), eq(contactImports.id, id)))
    .limit(1);
  return row ?? null;
}

/** A page of the project's imports, newest first. */
export function listContactImportsPage(
  db: Db,
  projectId: string,
  filter: { limit: number; after?: PageAnchor },
): Promise<ContactImportRow[]> {
  return db
    .select()
    .from(contactImports)
    .where(
      and(
        eq(contactImports.projectId, projectId),
        olderThan(contactImports.createdAt, contactImports.id, filter.after),
      ),
    )
    .orderBy(desc(contactImports.createdAt), desc(contactImports.id))
    .limit(filter.limit);
}

/** Marks an import processing (from queued) or failed; other fields untouched. */
export async function setContactImportStatus(
  db: Db,
  input: { projectId: string; id: string; status: "processing" | "failed"; failure?: string; now: number },
): Promise<void> {
  await db
    .update(contactImports)
    .set({
      status: input.status,
      updatedAt: input.now,
      ...(input.status === "failed" ? { failure: input.failure ?? "failed", finishedAt: input.now } : {}),
    })
    .where(
      and(
        eq(contactImports.projectId, input.projectId),
        eq(contactImports.id, input.id),
        sql`${contactImports.status} IN ('queued', 'processing')`,
      ),
    );
}

/** Which of `emails` the project already has as contacts, and which are suppressed. */
export async function classifyAddresses(
  db: Db,
  projectId: string,
  emails: readonly string[],
): Promise<{ existing: Set<string>; suppressed: Set<string> }> {
  const existing = new Set<string>();
  const suppressed = new Set<string>();
  for (const part of chunk(emails, 1_000)) {
    const list = JSON.stringify(part);
    const [known, blocked] = await db.batch([
      db
        .select({ email: contacts.email })
        .from(contacts)
        .where(
          and(
            eq(contacts.projectId, projectId),
            sql`${contacts.email} IN (SELECT value FROM json_each(${list}))`,
          ),
        ),
      db
        .select({ email: suppressions.email })
        .from(suppressions)
        .where(
          and(
            eq(suppressions.projectId, projectId),
            sql`${suppressions.email} IN (SELECT value FROM json_each(${list}))`,
          ),
        ),
    ]);
    for (const r of known) existing.add(r.email);
    for (const r of blocked) suppressed.add(r.email);
  }
  return { existing, suppressed };
}

/** A contact as an import chunk writes it. */
export interface ImportedContactRow {
  id: string;
  email: string;
  name: string | null;
  locale: string | null;
  timeZone: string | null;
  attributes: Record<string, string>;
}

// Every statement of a chunk runs only while the import's `chunk` still equals the one read:
// a redelivered message or a second consumer finds it moved on, and its batch writes nothing.
const GUARD = "EXISTS (SELECT 1 FROM contact_imports WHERE id = ?1 AND chunk = ?2)";

// A suppressed address is never written: suppression wins over any row of any file. An update
// keeps the status (an import never resubscribes) and merges attributes into the stored ones.
const UPSERT_CONTACTS = `INSERT INTO contacts (id, project_id, email, name, locale, time_zone, attributes, status, created_at, updated_at)
  SELECT value ->> '$.id', ?3, value ->> '$.email', value ->> '$.name', value ->> '$.locale', value ->> '$.timeZone',
         json(value -> '$.attributes'), 'subscribed', ?4, ?4
  FROM json_each(?5)
  WHERE ${GUARD}
    AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.project_id = ?3 AND s.email = value ->> '$.email')
  ON CONFLICT (project_id, email) DO UPDATE SET
    name = coalesce(excluded.name, contacts.name),
    locale = coalesce(excluded.locale, contacts.locale),
    time_zone = coalesce(excluded.time_zone, contacts.time_zone),
    attributes = json_patch(contacts.attributes, excluded.attributes),
    updated_at = excluded.updated_at`;

const INSERT_ERRORS = `INSERT OR IGNORE INTO contact_import_errors (import_id, row, field, message)
  SELECT ?1, value ->> 0, value ->> 1, value ->> 2 FROM json_each(?3) WHERE ${GUARD}`;

// D1 caps a bound value at 2 MB: wide rows (many attribute columns) split into smaller parts.
const PART_MAX_CHARS = 500_000;

/** `rows` as JSON arrays of at most JSON_ROWS_PER_STATEMENT rows and about PART_MAX_CHARS characters. */
function jsonParts(rows: readonly unknown[]): string[] {
  const parts: string[] = [];
  let items: string[] = [];
  let size = 0;
  for (const row of rows) {
    const text = JSON.stringify(row);
    if (
      items.length > 0 &&
      (items.length >= JSON_ROWS_PER_STATEMENT || size + text.length > PART_MAX_CHARS)
    ) {
      parts.push(`[${items.join(",")}]`);
      items = [];
      size = 0;
    }
    items.push(text);
    size += text.length + 1;
  }
  if (items.length > 0) parts.push(`[${items.join(",")}]`);
  return parts;
}

/** What one chunk adds to an import's totals, and where the next one starts. */
export interface ImportChunkResult {
  rows: number;
  inserted: number;
  updated: number;
  skipped: number;
  suppressed: number;
  duplicates: number;
  errorCount: number;
  cursor: ImportCursor;
  done: boolean;
}

/**
 * Writes one chunk of an import and advances it, atomically (one D1 batch). Returns false when
 * the import was no longer at `chunk` (another run committed it): then nothing was written.
 */
export async function commitImportChunk(
  db: Db,
  input: {
    projectId: string;
    importId: string;
    chunk: number;
    contacts: ImportedContactRow[];
    errors: { row: number; field: string; message: string }[];
    result: ImportChunkResult;
    now: number;
  },
): Promise<boolean> {
  const d1 = db.$client;
  const { result } = input;
  const statements: D1PreparedStatement[] = [];
  for (const part of jsonParts(input.contacts)) {
    statements.push(
      d1.prepare(UPSERT_CONTACTS).bind(input.importId, input.chunk, input.projectId, input.now, part),
    );
  }
  for (const part of chunk(input.errors, JSON_ROWS_PER_STATEMENT)) {
    statements.push(
      d1
        .prepare(INSERT_ERRORS)
        .bind(
          input.importId,
          input.chunk,
          JSON.stringify(part.map((e) => [e.row, e.field.slice(0, 40), e.message.slice(0, 300)])),
        ),
    );
  }
  statements.push(
    d1
      .prepare(
        `UPDATE contact_imports SET chunk = chunk + 1, status = ?, cursor = ?, rows_done = rows_done + ?,
           inserted = inserted + ?, updated = updated + ?, skipped = skipped + ?, suppressed = suppressed + ?,
           duplicates = duplicates + ?, error_count = error_count + ?,
           rows_total = CASE WHEN ? THEN rows_done + ? ELSE max(rows_total, rows_done + ?) END,
           updated_at = ?, finished_at = CASE WHEN ? THEN ? ELSE NULL END
         WHERE id = ? AND project_id = ? AND chunk = ?`,
      )
      .bind(
        result.done ? "done" : "processing",
        JSON.stringify(result.cursor),
        result.rows,
        result.inserted,
        result.updated,
        result.skipped,
        result.suppressed,
        result.duplicates,
        result.errorCount,
        result.done ? 1 : 0,
        result.rows,
        result.rows,
        input.now,
        result.done ? 1 : 0,
        input.now,
        input.importId,
        input.projectId,
        input.chunk,
      ),
  );
  const results = await d1.batch(statements);
  return (results.at(-1)?.meta.changes ?? 0) > 0;
}

/** The stored per-row errors of an import, in file order. */
export function listContactImportErrors(db: Db, importId: string, limit: number) {
  return db
    .select()
    .from(contactImportErrors)
    .where(eq(contactImportErrors.importId, importId))
    .orderBy(asc(contactImportErrors.row), asc(contactImportErrors.field))
    .limit(limit);
}

/** How many error rows an import has stored (the bound on what is kept). */
export async function countContactImportErrors(db: Db, importId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(contactImportErrors)
    .where(eq(contactImportErrors.importId, importId));
  return row?.n ?? 0;
}
