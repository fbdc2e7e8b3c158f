import { createRoute } from "@hono/zod-openapi";
import { updateWebExperiment } from "../../../services/web-experiments/update-web-experiment";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { conflict, PreviewUrlRequest, WebKeyParams, webExperimentResponse } from "./schemas";
import { toWebExperimentView } from "./views";

const route = createRoute({
  method: "put",
  path: "/v1/web-experiments/{key}/preview-url",
  operationId: "setWebExperimentPreviewUrl",
  "x-pushbunny-access": "write",
  tags: ["web-experiments"],
  summary: "Set (or clear, with null) the preview URL",
  description:
    "preview_links then list the URL with `#seg-<segment key>` per segment; the SDK shows that segment and records nothing.",
  security: BEARER,
  middleware: [limitBody(8 * 1024)] as const,
  request: {
    params: WebKeyParams,
    body: { required: true, content: { "application/json": { schema: PreviewUrlRequest } } },
  },
  responses: {
    200: webExperimentResponse("The web experiment"),
    ...commonErrors,
    ...notFound,
    ...conflict("The experiment is finished"),
  },
});

/** PUT /v1/web-experiments/{key}/preview-url */
export function registerSetWebPreviewUrl(app: App) {
  app.openapi(route, async (c) => {
    const row = await updateWebExperiment({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { key: c.req.valid("param").key, previewUrl: c.req.valid("json").preview_url },
    });
    return c.json(toWebExperimentView(row), 200);
  });
}
