import { type EmailOutboxRow, listOutboxMail } from "@pushbunny/db";
import type { AppContext } from "../../context";

/** The project's outbox mail, newest first. */
export async function listEmailOutbox({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number };
}): Promise<EmailOutboxRow[]> {
  return listOutboxMail(ctx.db, projectId, Math.min(Math.max(1, input.limit), 100));
}
