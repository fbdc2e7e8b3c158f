import { listEmailTemplatesPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { newestFirstPage } from "../../infra/cursor";
import { type Template, toTemplate } from "./lib/template";

/** A page of the project's templates, newest first. */
export async function listTemplates({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ templates: Template[]; nextCursor: string | null }> {
  const page = await newestFirstPage(input, "tpl", (q) => listEmailTemplatesPage(ctx.db, projectId, q));
  return { templates: page.rows.map(toTemplate), nextCursor: page.nextCursor };
}
