import { createRoute, z } from "@hono/zod-openapi";
import { updateProject } from "../../../services/projects/update-project";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, LocaleTag, notFound } from "../../schemas";
import type { App } from "../../types";
import { ChallengerCount, ProjectIdParam, ProjectName, projectResponse, projectView } from "./schemas";

const route = createRoute({
  method: "patch",
  path: "/v1/projects/{project_id}",
  operationId: "updateProject",
  "x-pushbunny-access": "admin",
  tags: ["projects"],
  summary: "Rename a project or change its defaults",
  description:
    "`default_locale` is used when a request sends none; `challenger_count` is how many LLM challengers new experiments get.",
  security: BEARER,
  middleware: [limitBody(4 * 1024)] as const,
  request: {
    params: ProjectIdParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({
              name: ProjectName.optional(),
              default_locale: LocaleTag.optional().openapi({ example: "en-US" }),
              challenger_count: ChallengerCount.optional(),
              time_zone: z.string().min(1).max(64).optional().openapi({
                description:
                  'IANA time zone for campaigns scheduled at a local time with `time_zone: "project"`, and for contacts without one',
                example: "Europe/Paris",
              }),
              metrics_require_key: z.boolean().optional().openapi({
                description:
                  "Refuse POST /v1/metrics without an API key of this project (the shipped mobile SDKs send none)",
                example: true,
              }),
            })
            .refine(
              (b) => Object.values(b).some((v) => v !== undefined),
              "nothing to change: send name, default_locale, challenger_count, time_zone or metrics_require_key",
            ),
        },
      },
    },
  },
  responses: { 200: projectResponse("The project as changed"), ...commonErrors, ...notFound },
});

/** PATCH /v1/projects/{project_id} */
export function registerUpdateProject(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const project = await updateProject({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.default_locale !== undefined ? { defaultLocale: b.default_locale } : {}),
        ...(b.challenger_count !== undefined ? { challengerCount: b.challenger_count } : {}),
        ...(b.metrics_require_key !== undefined ? { metricsRequireKey: b.metrics_require_key } : {}),
        ...(b.time_zone !== undefined ? { timeZone: b.time_zone } : {}),
      },
    });
    return c.json(projectView({ ...project, role: c.get("role") ?? null }), 200);
  });
}
