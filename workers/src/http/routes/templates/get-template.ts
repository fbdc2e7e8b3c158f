import { createRoute } from "@hono/zod-openapi";
import { getTemplate } from "../../../services/templates/get-template";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { checkedTemplateResponse, checkedTemplateView, TemplateIdParam } from "./schemas";

const route = createRoute({
  method: "get",
  path: "/v1/templates/{template_id}",
  operationId: "getTemplate",
  "x-pushbunny-access": "read",
  tags: ["templates"],
  summary: "Read a template, with its warnings",
  security: BEARER,
  request: { params: TemplateIdParam },
  responses: { 200: checkedTemplateResponse("The template"), ...commonErrors, ...notFound },
});

/** GET /v1/templates/{template_id} */
export function registerGetTemplate(app: App) {
  app.openapi(route, async (c) => {
    const result = await getTemplate({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { templateId: c.req.valid("param").template_id },
    });
    return c.json(checkedTemplateView(result), 200);
  });
}
