import { type EmailOutboxRow, findOutboxMail, listOutboxMail } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { keysetPage, readCursor } from "../../infra/cursor";

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
  const page = await keysetPage(
    input.limit,
    100,
    (limit) =>
      listOutboxMail(ctx.db, projectId, { limit, after: after && { createdAt: after[0], id: after[1] } }),
    (last) => [last.createdAt, last.providerMessageId],
  );
  return { messages: page.rows, nextCursor: page.nextCursor };
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
