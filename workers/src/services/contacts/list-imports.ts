import { encodeCursor, isId } from "@pushbunny/core";
import { type ContactImportRow, listContactImportsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";

/** A page of the project's CSV imports, newest first, with their progress and counts. */
export async function listContactImports({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ imports: ContactImportRow[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isId(id, "cim"));
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 100);
  const rows = await listContactImportsPage(ctx.db, projectId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    imports: page,
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
