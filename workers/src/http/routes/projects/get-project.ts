import { createRoute } from "@hono/zod-openapi";
import { getProject } from "../../../services/projects/get-project";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ProjectIdParam, projectResponse, projectView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}",
  operationId: "getProject",
  "x-pushbunny-access": "read",
  tags: ["projects"],
  summary: "A project's settings and your role in it",
  security: BEARER,
  request: { params: ProjectIdParam },
  responses: { 200: projectResponse("The project"), ...commonErrors, ...notFound },
});

/** GET /v1/projects/{project_id} */
export function registerGetProject(app: App) {
  app.openapi(route, async (c) => {
    const project = await getProject({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json(projectView({ ...project, role: c.get("role") ?? null }), 200);
  });
}
