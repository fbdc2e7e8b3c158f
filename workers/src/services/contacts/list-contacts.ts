import { encodeCursor, isId } from "@pushbunny/core";
import { type ContactStatus, listContactsPage } from "@pushbunny/db";
import type { SQL } from "drizzle-orm";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { readCursor } from "../../infra/cursor";
import { type Contact, toContact } from "./lib/contact";

export const CONTACT_LIST_LIMIT = { min: 1, max: 200 } as const;

/** A page of contacts, newest first, by status and address prefix (and a segment's filter). */
export async function listContacts({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { status?: ContactStatus; emailPrefix?: string; limit: number; cursor?: string; where?: SQL };
}): Promise<{ contacts: Contact[]; nextCursor: string | null }> {
  if (
    !Number.isInteger(input.limit) ||
    input.limit < CONTACT_LIST_LIMIT.min ||
    input.limit > CONTACT_LIST_LIMIT.max
  )
    throw BadRequestError.fromIssues([{ path: "limit", message: "must be an integer from 1 to 200" }]);
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isId(id, "ctc"));
  const rows = await listContactsPage(ctx.db, projectId, {
    status: input.status,
    emailPrefix: input.emailPrefix?.trim().toLowerCase() || undefined,
    limit: input.limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
    where: input.where,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    contacts: page.map(toContact),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
