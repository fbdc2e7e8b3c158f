import { createRoute } from "@hono/zod-openapi";
import { deleteProject } from "../../../services/projects/delete-project";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ProjectIdParam } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/projects/{project_id}",
  operationId: "deleteProject",
  "x-pushbunny-access": "owner",
  tags: ["projects"],
  summary: "Delete a project (owners only)",
  description:
    "A soft delete: the data is kept, but every route answers 404 for the project from then on, its API keys stop working within a minute everywhere, and its pending invites are withdrawn. API keys cannot delete projects.",
  security: BEARER,
  request: { params: ProjectIdParam },
  responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound },
});

/** DELETE /v1/projects/{project_id} */
export function registerDeleteProject(app: App) {
  app.openapi(route, async (c) => {
    await deleteProject({ ctx: c.get("ctx"), projectId: c.get("owner").projectId, actor: c.get("actor") });
    return c.body(null, 204);
  });
}
