import { encodeCursor } from "@pushbunny/core";
import { type EmailOutboxRow, findOutboxMail, listOutboxMail } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { readCursor } from "../../infra/cursor";

/** A page of the project's outbox mail, newest first. */
export async function listEmailOutbox({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ messages: EmailOutboxRow[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => id.startsWith("outbox_"));
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 100);
  const rows = await listOutboxMail(ctx.db, projectId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    messages: page,
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.providerMessageId]) : null,
  };
}

/** One outbox mail of the project. */
export async function getOutboxMail({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { providerMessageId: string };
}): Promise<EmailOutboxRow> {
  const row = await findOutboxMail(ctx.db, projectId, input.providerMessageId);
  if (!row) throw new NotFoundError(`no mail '${input.providerMessageId}' in the outbox`);
  return row;
}
