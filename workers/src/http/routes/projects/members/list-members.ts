import { createRoute, z } from "@hono/zod-openapi";
import { listMembers } from "../../../../services/projects/members/list-members";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { MemberView, memberView, ProjectIdParam } from "../schemas";

const MemberList = z.object({ members: z.array(MemberView) }).openapi("MemberList");

const route = createRoute({
  method: "get",
  path: "/v1/projects/{project_id}/members",
  operationId: "listMembers",
  "x-pushbunny-access": "read",
  tags: ["members"],
  summary: "Everyone in the project with their role",
  description: "Earliest first; at most the first 1,000 members.",
  security: BEARER,
  request: { params: ProjectIdParam },
  responses: {
    200: {
      description: "The members, earliest first (at most 1,000)",
      content: { "application/json": { schema: MemberList } },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** GET /v1/projects/{project_id}/members */
export function registerListMembers(app: App) {
  app.openapi(route, async (c) => {
    const members = await listMembers({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json({ members: members.map(memberView) }, 200);
  });
}
