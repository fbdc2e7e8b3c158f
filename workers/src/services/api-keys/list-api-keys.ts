import { encodeCursor, isId } from "@pushbunny/core";
import { listApiKeysPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { readCursor } from "../../infra/cursor";
import { type ApiKey, toApiKey } from "./lib/api-key";

/** Page sizes the verb accepts (the route's schema says the same). */
export const KEY_LIST_LIMIT = { min: 1, max: 100 } as const;

/** A page of the project's keys, newest first, revoked and expired ones included. */
export async function listApiKeys({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ keys: ApiKey[]; nextCursor: string | null }> {
  if (
    !Number.isInteger(input.limit) ||
    input.limit < KEY_LIST_LIMIT.min ||
    input.limit > KEY_LIST_LIMIT.max
  ) {
    throw BadRequestError.fromIssues([
      { path: "limit", message: `must be an integer from ${KEY_LIST_LIMIT.min} to ${KEY_LIST_LIMIT.max}` },
    ]);
  }
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isId(id, "key"));
  const rows = await listApiKeysPage(ctx.db, projectId, {
    limit: input.limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const now = ctx.now();
  return {
    keys: page.map((r) => toApiKey(r, now)),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
