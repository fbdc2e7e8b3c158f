import { createRoute } from "@hono/zod-openapi";
import { listInvites } from "../../../../services/projects/invites/list-invites";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { InviteList, inviteView, PageQuery, ProjectIdParam } from "../schemas";

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}/invites",
  operationId: "listInvites",
  "x-pushbunny-access": "admin",
  tags: ["invites"],
  summary: "Pending invites, newest first",
  description: "Accepted, revoked and expired invites are left out. Page with `limit` and `cursor`.",
  security: BEARER,
  request: { params: ProjectIdParam, query: PageQuery },
  responses: {
    200: {
      description: "A page of pending invites",
      content: { "application/json": { schema: InviteList } },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/projects/{project_id}/invites */
export function registerListInvites(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const page = await listInvites({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { limit: q.limit, cursor: q.cursor },
    });
    return c.json({ invites: page.invites.map(inviteView), next_cursor: page.nextCursor }, 200);
  });
}
