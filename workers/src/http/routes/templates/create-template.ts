import { createRoute, z } from "@hono/zod-openapi";
import { createTemplate } from "../../../services/templates/create-template";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import {
  checkedTemplateResponse,
  checkedTemplateView,
  FromName,
  ReplyTo,
  TEMPLATE_BODY_LIMIT,
  TemplateHtml,
  TemplateName,
  TemplatePreheader,
  TemplateSubject,
  TemplateText,
} from "./schemas";

export const CreateTemplateRequest = z
  .strictObject({
    name: TemplateName,
    subject: TemplateSubject,
    preheader: TemplatePreheader.optional(),
    html: TemplateHtml,
    text: TemplateText.optional(),
    from_name: FromName.optional(),
    reply_to: ReplyTo.optional(),
  })
  .openapi("CreateTemplateRequest");

const route = createRoute({
  method: "post",
  path: "/v1/templates",
  operationId: "createTemplate",
  "x-pushbunny-access": "write",
  tags: ["templates"],
  summary: "Save an email template (Mustache subject, preheader, HTML and text)",
  description:
    "Variables: email, name, locale, time_zone, attributes.<key>, unsubscribe_url, preferences_url. Unknown variables, `{{{…}}}`, bad syntax and broken or unsafe links are a 400 listing each by field; warnings (spam phrases, http links, lengths) come back in `issues`.",
  security: BEARER,
  middleware: [limitBody(TEMPLATE_BODY_LIMIT)] as const,
  request: { body: { required: true, content: { "application/json": { schema: CreateTemplateRequest } } } },
  responses: { 201: checkedTemplateResponse("Created"), ...commonErrors },
});

/** POST /v1/templates */
export function registerCreateTemplate(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const result = await createTemplate({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        name: b.name,
        subject: b.subject,
        preheader: b.preheader,
        html: b.html,
        text: b.text,
        fromName: b.from_name,
        replyTo: b.reply_to,
      },
    });
    return c.json(checkedTemplateView(result), 201);
  });
}
