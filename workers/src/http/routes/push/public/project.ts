import { z } from "@hono/zod-openapi";
import { isId } from "@pushbunny/core";
import { findProject, type KeyOwner } from "@pushbunny/db";
import type { AppContext } from "../../../../context";
import { NotFoundError } from "../../../../errors";

/** `{project}` in a public path: the project id, as public as an app id in other push products. */
export const ProjectParam = z.object({
  project: z
    .string()
    .min(1)
    .max(80)
    .openapi({ param: { name: "project", in: "path" }, example: "prj_0a1b2c3d4e5f60718293" }),
});

/** The project named in a public path, or a 404. */
export async function projectOr404(ctx: AppContext, projectId: string): Promise<KeyOwner> {
  const owner = isId(projectId, "prj") ? await findProject(ctx.db, projectId) : null;
  if (!owner) throw new NotFoundError(`project '${projectId}' not found`);
  return owner;
}
