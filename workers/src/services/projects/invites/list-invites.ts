import { encodeCursor } from "@pushbunny/core";
import { listPendingInvites } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { readCursor } from "../../../infra/cursor";
import { checkPageLimit } from "../rules";
import { type Invite, toInvite } from "./invite";

/** A page of the project's pending invites (not accepted, revoked or expired), newest first. */
export async function listInvites({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ invites: Invite[]; nextCursor: string | null }> {
  const limit = checkPageLimit(input.limit);
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => id.startsWith("inv_"));
  const rows = await listPendingInvites(ctx.db, projectId, {
    now: ctx.now(),
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    invites: page.map(toInvite),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
