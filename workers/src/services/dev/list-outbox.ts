import { listMailOutbox, type OutboxMessage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { normalizeEmail } from "../auth/lib/email";

/**
 * The newest messages in the local mail outbox, optionally to one address: how developers
 * and tests read verification and reset links. Production answers as if there were no such
 * route, since the outbox holds live links.
 */
export async function listOutbox({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { to?: string; limit: number; path: string };
}): Promise<OutboxMessage[]> {
  if (ctx.config.isProduction) throw new NotFoundError(`no route for GET ${input.path}`);
  return listMailOutbox(ctx.db, {
    to: input.to === undefined ? undefined : normalizeEmail(input.to),
    limit: input.limit,
  });
}
