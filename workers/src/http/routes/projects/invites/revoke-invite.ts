import { createRoute } from "@hono/zod-openapi";
import { revokeInvite } from "../../../../services/projects/invites/revoke-invite";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict } from "../../push/shared";
import { InviteParams } from "../schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/projects/{project_id}/invites/{invite_id}",
  operationId: "revokeInvite",
  "x-pushbunny-access": "admin",
  tags: ["invites"],
  summary: "Withdraw an invite; its link stops working",
  security: BEARER,
  request: { params: InviteParams },
  responses: {
    204: { description: "Revoked (or already not pending)" },
    ...commonErrors,
    ...notFound,
    ...conflict("The invite was already accepted"),
  },
});

/** DELETE /v1/projects/{project_id}/invites/{invite_id} */
export function registerRevokeInvite(app: App) {
  app.openapi(route, async (c) => {
    await revokeInvite({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { inviteId: c.req.valid("param").invite_id },
    });
    return c.body(null, 204);
  });
}
