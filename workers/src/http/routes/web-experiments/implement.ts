import { createRoute, z } from "@hono/zod-openapi";
import { implementWebExperiment } from "../../../services/web-experiments/implement";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope, notFound } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { WebKeyParams } from "./schemas";

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

const ImplementRequest = z
  .strictObject({
    repository: z
      .string()
      .max(300)
      .nullable()
      .optional()
      .openapi({ description: "owner/name; default: the experiment's repository", example: "acme/web" }),
    base_branch: z.string().max(300).nullable().optional().openapi({
      description: "default: the experiment's base branch, else the repository's default branch",
    }),
  })
  .openapi("ImplementWebExperimentRequest");

const route = createRoute({
  method: "post",
  path: "/v1/web-experiments/{key}/implement",
  operationId: "implementWebExperiment",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Have the agent implement the experiment as a draft pull request (queued)",
  description:
    "Queues an implementation run: the agent reads the repository through the project's GitHub installation, writes the segments and the switch on a new branch `pushbunny/<key>-<run>` and opens a DRAFT pull request; it never touches the default branch. Poll GET /v1/web-experiments/{key}/status (implementing → pr_open, or failed with the reason); GET …/diff shows the change. Merging the pull request activates the experiment. Needs GEMINI_API_KEY and the GitHub App on the deployment, and a connected project. The body may be empty.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: WebKeyParams,
    body: { required: true, content: { "application/json": { schema: ImplementRequest } } },
  },
  responses: {
    202: {
      description: "Queued",
      content: {
        "application/json": {
          schema: z.object({
            run_id: z.string(),
            key: z.string(),
            repository: z.string(),
            status: z.literal("implementing"),
            status_url: z.string().openapi({ example: "/v1/web-experiments/pricing-cta/status" }),
          }),
        },
      },
    },
    ...commonErrors,
    ...notFound,
    409: error(
      "Not connected to GitHub, the installation cannot see the repository, the experiment is not draft or failed, or a run is already queued or running",
    ),
    503: error(
      "GEMINI_API_KEY or the GitHub App is not configured on this deployment, or GitHub is unreachable",
    ),
  },
});

/** POST /v1/web-experiments/{key}/implement */
export function registerImplementWebExperiment(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const out = await implementWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { key: c.req.valid("param").key, repository: body.repository, baseBranch: body.base_branch },
    });
    return c.json(
      {
        run_id: out.runId,
        key: out.key,
        repository: out.repository,
        status: "implementing" as const,
        status_url: `/v1/web-experiments/${encodeURIComponent(out.key)}/status`,
      },
      202,
    );
  });
}
