import { createRoute, z } from "@hono/zod-openapi";
import { updateMember } from "../../../../services/projects/members/update-member";
import { limitBody } from "../../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict } from "../../push/shared";
import { callerFrom } from "../caller";
import { MemberParams, MemberView, memberView, RoleName } from "../schemas";

const route = createRoute({
  method: "patch",
  path: "/v1/projects/{project_id}/members/{user_id}",
  operationId: "updateMember",
  "x-pushbunny-access": "admin",
  tags: ["members"],
  summary: "Change a member's role",
  description:
    "Only an owner grants or removes the owner role, so an admin can neither demote an owner nor promote anyone to owner. The last owner cannot be demoted (409): make someone else owner first.",
  security: BEARER,
  middleware: [limitBody(1024)] as const,
  request: {
    params: MemberParams,
    body: { required: true, content: { "application/json": { schema: z.strictObject({ role: RoleName }) } } },
  },
  responses: {
    200: {
      description: "The member with the new role",
      content: { "application/json": { schema: MemberView } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The member is the project's last owner"),
  },
});

/** PATCH /v1/projects/{project_id}/members/{user_id} */
export function registerUpdateMember(app: App) {
  app.openapi(route, async (c) => {
    const member = await updateMember({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      caller: callerFrom(c),
      input: { userId: c.req.valid("param").user_id, role: c.req.valid("json").role },
    });
    return c.json(memberView(member), 200);
  });
}
