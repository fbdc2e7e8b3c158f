import { type ContactImportRow, listContactImportsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { newestFirstPage } from "../../infra/cursor";

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
  const page = await newestFirstPage(input, "cim", (q) => listContactImportsPage(ctx.db, projectId, q));
  return { imports: page.rows, nextCursor: page.nextCursor };
}
