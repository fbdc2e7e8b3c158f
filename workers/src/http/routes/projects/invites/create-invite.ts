import { createRoute, z } from "@hono/zod-openapi";
import { createInvite } from "../../../../services/projects/invites/create-invite";
import { limitBody } from "../../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../../schemas";
import type { App } from "../../../types";
import { conflict } from "../../push/shared";
import { callerFrom } from "../caller";
import { InviteView, inviteView, ProjectIdParam, RoleName } from "../schemas";

const CreatedInvite = InviteView.extend({
  accept_url: z.string().optional().openapi({
    description:
      "The link mailed to the invitee (also for copying by hand); it works only for someone signed in with the invited email. Absent when an API key invites: then the link goes only to the invitee's mailbox.",
    example: "https://pushbunny.example/app/invites/accept?token=pbi_…",
  }),
}).openapi("CreatedInvite");

const route = createRoute({
  method: "post",
  path: "/v1/projects/{project_id}/invites",
  operationId: "createInvite",
  "x-pushbunny-access": "admin",
  tags: ["invites"],
  summary: "Invite someone by email",
  description:
    "Mails a single-use link valid for 7 days (returned as `accept_url` to a person, never to an API key). Inviting an email again replaces its pending invite; inviting a member is a 409; only owners invite owners. The invitee accepts with POST /v1/invites/accept, signed in with the invited, verified email, while whoever sent the invite can still send it.",
  security: BEARER,
  middleware: [limitBody(2 * 1024)] as const,
  request: {
    params: ProjectIdParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            email: z.string().trim().max(254).openapi({ example: "grace@example.com" }),
            role: RoleName.default("member"),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: "The invite (its link is mailed)",
      content: { "application/json": { schema: CreatedInvite } },
    },
    ...commonErrors,
    ...notFound,
    ...conflict("The email already belongs to a member"),
  },
});

/** POST /v1/projects/{project_id}/invites */
export function registerCreateInvite(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const invite = await createInvite({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      caller: callerFrom(c),
      input: { email: b.email, role: b.role },
    });
    return c.json(
      { ...inviteView(invite), ...(invite.acceptUrl === null ? {} : { accept_url: invite.acceptUrl }) },
      201,
    );
  });
}
