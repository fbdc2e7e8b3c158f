import { newId } from "@pushbunny/core";
import {
  type ContactImportRow,
  classifyAddresses,
  commitImportChunk,
  findContactImport,
  type ImportCursor,
  type ImportedContactRow,
  setContactImportStatus,
} from "@pushbunny/db";
import type { HeaderMapping } from "@pushbunny/email";
import type { AppContext } from "../../context";
import type { ContactImportJob } from "../../queue/messages";
import { attributeIssues } from "./lib/contact";
import { byteLength, type FileWindow, parseWindow, readWindow } from "./lib/import-file";

/** Records per committed chunk (one D1 batch each). */
export const IMPORT_CHUNK_ROWS = 1_000;
/** Chunks one queue message processes before it hands over to the next message. */
export const IMPORT_CHUNKS_PER_MESSAGE = 25;
/** Bytes read from R2 at a time; a record longer than this fails the import. */
export const IMPORT_WINDOW_BYTES = 1024 * 1024;
/** Per-row errors kept for the errors CSV (the count stays complete). */
export const IMPORT_MAX_STORED_ERRORS = 10_000;

/**
 * Runs the next chunks of an import: each chunk parses up to 1,000 records from the stored cursor,
 * upserts them (suppressed addresses are never written) and advances the import in one batch that
 * applies only if no other run has committed that chunk. After 25 chunks the next message is
 * queued; a redelivered message simply continues from the stored cursor.
 */
export async function processContactImport({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: ContactImportJob;
}): Promise<{ chunks: number; done: boolean }> {
  const current = await findContactImport(ctx.db, input.projectId, input.importId);
  if (!current || current.status === "done" || current.status === "failed") return { chunks: 0, done: true };
  const bucket = ctx.env.UPLOADS;
  if (current.status === "queued")
    await setContactImportStatus(ctx.db, {
      projectId: input.projectId,
      id: input.importId,
      status: "processing",
      now: ctx.now(),
    });
  const mapping = current.mapping as HeaderMapping;
  let cursor: ImportCursor = current.cursor;
  let chunkNo = current.chunk;
  let errorCount = current.errorCount;
  let window: FileWindow | null = null;
  let windowStart = 0;
  let charAt = 0;
  for (let n = 0; n < IMPORT_CHUNKS_PER_MESSAGE; n++) {
    if (!window) {
      window = await readWindow(bucket, current.objectKey, cursor.byte, IMPORT_WINDOW_BYTES);
      windowStart = cursor.byte;
      charAt = 0;
      if (!window) {
        await fail(ctx, current, "the uploaded file is gone");
        return { chunks: n, done: true };
      }
    }
    const parsed = parseWindow(
      window,
      { row: cursor.row, offset: charAt, delimiter: cursor.delimiter },
      mapping,
      IMPORT_CHUNK_ROWS,
    );
    if (!parsed) {
      await fail(ctx, current, `row ${cursor.row + 1} is longer than ${IMPORT_WINDOW_BYTES} bytes`);
      return { chunks: n, done: true };
    }
    const { chunk } = parsed;
    const next: ImportCursor = {
      row: chunk.cursor.row,
      byte: windowStart + byteLength(window.text.slice(0, chunk.cursor.offset)),
      delimiter: cursor.delimiter,
    };
    // The API's bounds on attributes hold for files too (keys, value size, 8 KB in all).
    const errors = [...chunk.errors];
    const accepted = chunk.contacts.filter((c) => {
      const issue = attributeIssues(c.attributes)[0];
      if (issue) errors.push({ row: c.row, field: "attributes", message: `${issue.path}: ${issue.message}` });
      return !issue;
    });
    const emails = accepted.map((c) => c.email);
    const { existing, suppressed } = await classifyAddresses(ctx.db, input.projectId, emails);
    const rows: ImportedContactRow[] = accepted
      .filter((c) => !suppressed.has(c.email))
      .map((c) => ({
        id: newId("ctc"),
        email: c.email,
        name: c.name ?? null,
        locale: c.locale ?? null,
        timeZone: c.timeZone ?? null,
        attributes: c.attributes,
      }));
    const badRows = new Set(errors.map((e) => e.row)).size;
    const keep = Math.max(0, IMPORT_MAX_STORED_ERRORS - errorCount);
    const committed = await commitImportChunk(ctx.db, {
      projectId: input.projectId,
      importId: input.importId,
      chunk: chunkNo,
      contacts: rows,
      errors: errors.slice(0, keep),
      result: {
        // Records with content: blank lines (a trailing line break among them) are not rows.
        rows: accepted.length + chunk.duplicates + badRows,
        inserted: rows.filter((r) => !existing.has(r.email)).length,
        updated: rows.filter((r) => existing.has(r.email)).length,
        skipped: badRows,
        suppressed: accepted.length - rows.length,
        duplicates: chunk.duplicates,
        errorCount: errors.length,
        cursor: next,
        done: parsed.done,
      },
      now: ctx.now(),
    });
    // Another run committed this chunk first: it carries on from here.
    if (!committed) return { chunks: n, done: false };
    errorCount += errors.length;
    chunkNo++;
    cursor = next;
    charAt = chunk.cursor.offset;
    if (parsed.done) {
      await bucket.delete(current.objectKey);
      return { chunks: n + 1, done: true };
    }
    if (parsed.windowEnd || chunk.rows === 0) window = null;
  }
  await ctx.queues.jobs.send({
    kind: "contact_import",
    projectId: input.projectId,
    importId: input.importId,
  } satisfies ContactImportJob);
  return { chunks: IMPORT_CHUNKS_PER_MESSAGE, done: false };
}

async function fail(ctx: AppContext, row: ContactImportRow, failure: string): Promise<void> {
  ctx.logger.warn("contact import failed", { importId: row.id, failure });
  await setContactImportStatus(ctx.db, {
    projectId: row.projectId,
    id: row.id,
    status: "failed",
    failure,
    now: ctx.now(),
  });
}
