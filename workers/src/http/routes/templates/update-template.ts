import { createRoute, z } from "@hono/zod-openapi";
import { updateTemplate } from "../../../services/templates/update-template";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import {
  checkedTemplateResponse,
  checkedTemplateView,
  FromName,
  ReplyTo,
  TEMPLATE_BODY_LIMIT,
  TemplateHtml,
  TemplateIdParam,
  TemplateName,
  TemplatePreheader,
  TemplateSubject,
  TemplateText,
} from "./schemas";

export const UpdateTemplateRequest = z
  .strictObject({
    name: TemplateName.optional(),
    subject: TemplateSubject.optional(),
    preheader: TemplatePreheader.optional(),
    html: TemplateHtml.optional(),
    text: TemplateText.optional(),
    from_name: FromName.optional(),
    reply_to: ReplyTo.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: "send at least one field to change",
  })
  .openapi("UpdateTemplateRequest");

const route = createRoute({
  method: "patch",
  path: "/v1/templates/{template_id}",
  operationId: "updateTemplate",
  "x-pushbunny-access": "write",
  tags: ["templates"],
  summary: "Change a template's fields (the result is checked as on create)",
  security: BEARER,
  middleware: [limitBody(TEMPLATE_BODY_LIMIT)] as const,
  request: {
    params: TemplateIdParam,
    body: { required: true, content: { "application/json": { schema: UpdateTemplateRequest } } },
  },
  responses: { 200: checkedTemplateResponse("The template"), ...commonErrors, ...notFound },
});

/** PATCH /v1/templates/{template_id} */
export function registerUpdateTemplate(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const result = await updateTemplate({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        templateId: c.req.valid("param").template_id,
        name: b.name,
        subject: b.subject,
        preheader: b.preheader,
        html: b.html,
        text: b.text,
        fromName: b.from_name,
        replyTo: b.reply_to,
      },
    });
    return c.json(checkedTemplateView(result), 200);
  });
}
