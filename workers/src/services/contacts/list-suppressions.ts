import { encodeCursor } from "@pushbunny/core";
import { listSuppressionsPage, type SuppressionRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";

/** A page of the project's suppressed addresses, newest first. */
export async function listSuppressions({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ suppressions: SuppressionRow[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, email]) => email.includes("@"));
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 200);
  const rows = await listSuppressionsPage(ctx.db, projectId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], email: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    suppressions: page,
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.email]) : null,
  };
}
