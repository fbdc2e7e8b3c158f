import { createRoute, z } from "@hono/zod-openapi";
import { acceptInvite } from "../../../services/invites/accept-invite";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { userOf } from "../projects/caller";
import { projectResponse, projectView } from "../projects/schemas";
import { conflict } from "../push/shared";

const route = createRoute({
  method: "post",
  path: "/v1/invites/accept",
  operationId: "acceptInvite",
  "x-pushbunny-access": "session",
  tags: ["invites"],
  summary: "Join a project with the token from an invite email",
  description:
    "Needs the access token of the person invited: the signed-in email must be the invited one and verified (403 otherwise). The token works once and for 7 days; an expired token is a 400, a used or withdrawn one a 409, and so is one whose sender can no longer invite (left the project, lost the admin role, or a revoked API key).",
  security: BEARER,
  middleware: [limitBody(1024)] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            token: z.string().trim().min(1, "must not be empty").max(200).openapi({ example: "pbi_…" }),
          }),
        },
      },
    },
  },
  responses: {
    200: projectResponse("The project joined, with your role"),
    ...commonErrors,
    ...notFound,
    ...conflict(
      "The invite was already used or withdrawn, its sender can no longer invite, or you are already a member",
    ),
  },
});

/** POST /v1/invites/accept */
export function registerAcceptInvite(app: App) {
  app.openapi(route, async (c) => {
    const user = userOf(c.get("principal"));
    const project = await acceptInvite({
      ctx: c.get("ctx"),
      input: { userId: user.userId, email: user.email, token: c.req.valid("json").token },
    });
    return c.json(projectView(project), 200);
  });
}
