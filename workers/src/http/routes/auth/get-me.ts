import { createRoute, z } from "@hono/zod-openapi";
import { UnauthorizedError } from "../../../errors";
import { getMe } from "../../../services/auth/get-me";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { AuthUser, json } from "./schemas";
import { toProjectView, toUserView } from "./views";

const MyProject = z
  .object({
    project_id: z.string().openapi({ example: "prj_0a1b2c3d4e5f60718293" }),
    name: z.string().openapi({ example: "Shop app" }),
    role: z.enum(["owner", "admin", "member", "viewer"]).openapi({ example: "owner" }),
  })
  .openapi("MyProject");

const Me = z.object({ user: AuthUser, projects: z.array(MyProject) }).openapi("Me");

const route = createRoute({
  method: "get",
  path: "/v1/auth/me",
  operationId: "getMe",
  "x-pushbunny-access": "session",
  tags: ["auth"],
  summary: "The signed-in person and their projects",
  description:
    "Every live project the person belongs to, with their role: pick one and send it as `X-Project-Id` on the project routes.",
  security: BEARER,
  responses: {
    200: json("The person and their projects", Me),
    ...commonErrors,
  },
});

/** GET /v1/auth/me */
export function registerGetMe(app: App) {
  app.openapi(route, async (c) => {
    const principal = c.get("principal");
    if (principal.kind !== "user") throw new UnauthorizedError("sign in first");
    const me = await getMe({ ctx: c.get("ctx"), input: { userId: principal.userId } });
    return c.json(
      {
        user: toUserView(me.user),
        projects: me.projects.map(toProjectView) as z.infer<typeof MyProject>[],
      },
      200,
    );
  });
}
