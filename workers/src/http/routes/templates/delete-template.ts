import { createRoute } from "@hono/zod-openapi";
import { deleteTemplate } from "../../../services/templates/delete-template";
import { BEARER, commonErrors, ErrorEnvelope, notFound } from "../../schemas";
import type { App } from "../../types";
import { TemplateIdParam } from "./schemas";

const route = createRoute({
  method: "delete",
  path: "/v1/templates/{template_id}",
  operationId: "deleteTemplate",
  "x-pushbunny-access": "write",
  tags: ["templates"],
  summary: "Delete a template",
  security: BEARER,
  request: { params: TemplateIdParam },
  responses: {
    204: { description: "Deleted" },
    ...commonErrors,
    ...notFound,
    409: {
      description: "A campaign still to send (scheduled, sending or paused) uses the template",
      content: { "application/json": { schema: ErrorEnvelope } },
    },
  },
});

/** DELETE /v1/templates/{template_id} */
export function registerDeleteTemplate(app: App) {
  app.openapi(route, async (c) => {
    await deleteTemplate({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { templateId: c.req.valid("param").template_id },
    });
    return c.body(null, 204);
  });
}
