import { encodeCursor } from "@pushbunny/core";
import { listProjectsOfUser } from "@pushbunny/db";
import { isRole } from "../../access/levels";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
import { checkPageLimit, type Project } from "./rules";

/** A page of the live projects a person belongs to, newest first, each with their role. */
export async function listProjects({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { userId: string; limit: number; cursor?: string };
}): Promise<{ projects: Project[]; nextCursor: string | null }> {
  const limit = checkPageLimit(input.limit);
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => id.startsWith("prj_"));
  const rows = await listProjectsOfUser(ctx.db, input.userId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    projects: page.map((r) => ({ ...r, role: isRole(r.role) ? r.role : null })),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
