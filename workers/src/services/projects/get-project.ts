import { findLiveProject, type ProjectRecord } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";

/** A live project, or the 404 another project's ids get. */
export async function mustProject(ctx: AppContext, projectId: string): Promise<ProjectRecord> {
  const project = await findLiveProject(ctx.db, projectId);
  if (!project) throw new NotFoundError("project not found");
  return project;
}

/** The project's settings. */
export async function getProject({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<ProjectRecord> {
  return mustProject(ctx, projectId);
}
