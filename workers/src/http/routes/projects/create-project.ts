import { createRoute, z } from "@hono/zod-openapi";
import { createProject } from "../../../services/projects/create-project";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, LocaleTag } from "../../schemas";
import type { App } from "../../types";
import { conflict } from "../push/shared";
import { userOf } from "./caller";
import { ChallengerCount, ProjectName, projectResponse, projectView } from "./schemas";

const route = createRoute({
  method: "post",
  path: "/v1/projects",
  operationId: "createProject",
  "x-pushbunny-access": "session",
  tags: ["projects"],
  summary: "Create a project; you become its owner",
  description:
    "Needs a person's access token (no `X-Project-Id`). Create API keys for it next: POST /v1/projects/{project_id}/api-keys. A person may own at most 50 live projects (409 beyond).",
  security: BEARER,
  middleware: [limitBody(4 * 1024)] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            name: ProjectName,
            default_locale: LocaleTag.optional().openapi({ example: "en-US" }),
            challenger_count: ChallengerCount.optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: projectResponse("The new project, with your role (owner)"),
    ...commonErrors,
    ...conflict("You already own the most projects one person may own (50)"),
  },
});

/** POST /v1/projects */
export function registerCreateProject(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const project = await createProject({
      ctx: c.get("ctx"),
      input: {
        userId: userOf(c.get("principal")).userId,
        name: b.name,
        ...(b.default_locale !== undefined ? { defaultLocale: b.default_locale } : {}),
        ...(b.challenger_count !== undefined ? { challengerCount: b.challenger_count } : {}),
      },
    });
    return c.json(projectView(project), 201);
  });
}
