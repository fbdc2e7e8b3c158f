import { createRoute } from "@hono/zod-openapi";
import { removeMember } from "../../../../services/projects/members/remove-member";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict } from "../../push/shared";
import { callerFrom } from "../caller";
import { MemberParams } from "../schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/projects/{project_id}/members/{user_id}",
  operationId: "removeMember",
  // Any member may remove themselves (leave); removing someone else needs the admin role or an
  // admin-scoped key, which the verb checks.
  "x-pushbunny-access": "read",
  tags: ["members"],
  summary: "Remove a member, or leave the project (your own user_id)",
  description:
    "Anyone may leave. Removing someone else needs the admin role (or an API key with the admin scope); removing an owner needs an owner. The last owner can neither leave nor be removed (409): make someone else owner first.",
  security: BEARER,
  request: { params: MemberParams },
  responses: {
    204: { description: "Removed (or left)" },
    ...commonErrors,
    ...notFound,
    ...conflict("The member is the project's last owner"),
  },
});

/** DELETE /v1/projects/{project_id}/members/{user_id} */
export function registerRemoveMember(app: App) {
  app.openapi(route, async (c) => {
    await removeMember({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      caller: callerFrom(c),
      input: { userId: c.req.valid("param").user_id },
    });
    return c.body(null, 204);
  });
}
