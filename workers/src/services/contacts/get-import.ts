import { type ContactImportRow, findContactImport, listContactImportErrors } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { IMPORT_MAX_STORED_ERRORS } from "./process-import";

/** One of the project's imports, with its progress and counts. */
export async function getContactImport({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { importId: string };
}): Promise<ContactImportRow> {
  const row = await findContactImport(ctx.db, projectId, input.importId);
  if (!row) throw new NotFoundError(`import '${input.importId}' not found`);
  return row;
}

// A cell starting with = + - @ (or a tab or CR) is a formula to a spreadsheet: prefix it with '
// so an address or message from the file cannot run one when the errors file is opened.
function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The import's per-row errors as CSV (`row,field,message`), in file order, up to the stored bound. */
export async function getContactImportErrorsCsv({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { importId: string };
}): Promise<string> {
  const row = await getContactImport({ ctx, projectId, input });
  const errors = await listContactImportErrors(ctx.db, row.id, IMPORT_MAX_STORED_ERRORS);
  const lines = [
    "row,field,message",
    ...errors.map((e) => [e.row, e.field, e.message].map(csvCell).join(",")),
  ];
  return `${lines.join("\r\n")}\r\n`;
}
