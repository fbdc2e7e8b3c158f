import { createRoute } from "@hono/zod-openapi";
import { listProjects } from "../../../services/projects/list-projects";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { userOf } from "./caller";
import { PageQuery, ProjectList, projectView } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/projects",
  operationId: "listProjects",
  "x-pushbunny-access": "session",
  tags: ["projects"],
  summary: "The projects you belong to, newest first, with your role",
  description:
    "Needs a person's access token. Name one of them in `X-Project-Id` to use the project's other routes. Page with `limit` and `cursor`.",
  security: BEARER,
  request: { query: PageQuery },
  responses: {
    200: { description: "A page of projects", content: { "application/json": { schema: ProjectList } } },
    ...commonErrors,
  },
});

/** GET /v1/projects */
export function registerListProjects(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listProjects({
      ctx: c.get("ctx"),
      input: { userId: userOf(c.get("principal")).userId, limit: q.limit, cursor: q.cursor },
    });
    return c.json({ projects: page.projects.map(projectView), next_cursor: page.nextCursor }, 200);
  });
}
