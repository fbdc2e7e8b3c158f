import { newId } from "@pushbunny/core";
import { type ContactImportRow, insertContactImport, setContactImportStatus } from "@pushbunny/db";
import { readCsvHeader } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { BadRequestError, PayloadTooLargeError, ServiceUnavailableError } from "../../errors";
import type { ContactImportJob } from "../../queue/messages";
import { byteLength, readWindow } from "./lib/import-file";

/** The largest CSV an import takes, in bytes, and the most rows. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 100_000;
const HEADER_WINDOW = 64 * 1024;

/**
 * Stores an uploaded CSV in R2 as it streams in (never buffered whole), checks its header, and
 * queues its processing. Answers the new import; the jobs queue does the rest (process-import.ts).
 */
export async function startContactImport({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { body: ReadableStream<Uint8Array>; contentLength: number };
}): Promise<ContactImportRow> {
  const { contentLength } = input;
  if (!Number.isSafeInteger(contentLength) || contentLength <= 0)
    throw new BadRequestError("send the CSV file as the body, with its Content-Length");
  if (contentLength > IMPORT_MAX_BYTES)
    throw new PayloadTooLargeError(`the file exceeds ${IMPORT_MAX_BYTES} bytes`);
  const importId = newId("cim");
  const key = `imports/${projectId}/${importId}.csv`;
  const bucket = ctx.env.UPLOADS;
  // Line breaks are counted on the way through, for the progress total (an estimate: quoted line
  // breaks and blank lines count too; the total is exact once the import is done).
  // LF, CRLF and a lone CR each end a line (the parser takes all three): counting LF alone let a
  // CR-only file of any length pass as one row.
  let lineBreaks = 0;
  let last = 0x0a;
  let afterCr = false;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 0x0a) lineBreaks++;
        else if (afterCr) lineBreaks++;
        afterCr = b === 0x0d;
      }
      if (chunk.length > 0) last = chunk[chunk.length - 1] ?? last;
      controller.enqueue(chunk);
    },
    flush() {
      if (afterCr) lineBreaks++;
    },
  });
  // R2 needs a stream of known length; FixedLengthStream also refuses a body longer or shorter
  // than the Content-Length it announced.
  const fixed = new FixedLengthStream(contentLength);
  try {
    await Promise.all([
      input.body.pipeThrough(counter).pipeTo(fixed.writable),
      bucket.put(key, fixed.readable, { httpMetadata: { contentType: "text/csv" } }),
    ]);
  } catch (err) {
    await bucket.delete(key).catch(() => undefined);
    throw new BadRequestError(
      "the upload did not arrive whole: the body must be as long as its Content-Length",
      [],
      {
        cause: err,
      },
    );
  }
  const records = lineBreaks + (last === 0x0a || last === 0x0d ? 0 : 1);
  const rows = Math.max(0, records - 1);
  const refuse = async (error: Error) => {
    await bucket.delete(key);
    return error;
  };
  if (rows > IMPORT_MAX_ROWS + 1_000)
    throw await refuse(
      new PayloadTooLargeError(`the file has about ${rows} rows; an import takes at most ${IMPORT_MAX_ROWS}`),
    );
  const head = await readWindow(bucket, key, 0, HEADER_WINDOW);
  const header = head ? readCsvHeader(head.text) : { ok: false as const, message: "the file is empty" };
  if (!header.ok)
    throw await refuse(BadRequestError.fromIssues([{ path: "(body)", message: header.message }]));
  const now = ctx.now();
  const row: ContactImportRow = {
    id: importId,
    projectId,
    status: "queued",
    objectKey: key,
    mapping: header.mapping,
    cursor: {
      row: header.cursor.row,
      byte: byteLength((head?.text ?? "").slice(0, header.cursor.offset)),
      delimiter: header.cursor.delimiter,
    },
    chunk: 0,
    bytesTotal: contentLength,
    rowsTotal: rows,
    rowsDone: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    suppressed: 0,
    duplicates: 0,
    errorCount: 0,
    failure: null,
    createdBy: actor,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  await insertContactImport(ctx.db, row);
  try {
    await ctx.queues.jobs.send({ kind: "contact_import", projectId, importId } satisfies ContactImportJob);
  } catch (err) {
    // Not left "queued" forever: the import says why it stopped, and the file goes.
    await setContactImportStatus(ctx.db, {
      projectId,
      id: importId,
      status: "failed",
      failure: "the jobs queue was unavailable; upload the file again",
      now: ctx.now(),
    });
    await bucket.delete(key);
    throw new ServiceUnavailableError("the jobs queue is unavailable; upload the file again", 5, {
      cause: err,
    });
  }
  return row;
}
