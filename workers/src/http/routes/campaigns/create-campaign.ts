import { createRoute, z } from "@hono/zod-openapi";
import { createCampaign } from "../../../services/campaigns/create-campaign";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ReplyTo } from "../templates/schemas";
import {
  CampaignName,
  campaignResponse,
  campaignView,
  FromAddress,
  SegmentRef,
  Subjects,
  TemplateRef,
} from "./schemas";

export const CreateCampaignRequest = z
  .strictObject({
    name: CampaignName,
    from: FromAddress,
    reply_to: ReplyTo.optional(),
    template_id: TemplateRef,
    segment_id: SegmentRef.optional(),
    subjects: Subjects.optional(),
  })
  .openapi("CreateCampaignRequest");

const route = createRoute({
  method: "post",
  path: "/v1/campaigns",
  operationId: "createCampaign",
  "x-pushbunny-access": "write",
  tags: ["campaigns"],
  summary: "Save a draft email campaign (template, audience, optional subject lines to test)",
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: CreateCampaignRequest } } } },
  responses: { 201: campaignResponse("Created"), ...commonErrors, ...notFound },
});

/** POST /v1/campaigns */
export function registerCreateCampaign(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const campaign = await createCampaign({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        name: b.name,
        from: b.from,
        replyTo: b.reply_to ?? null,
        templateId: b.template_id,
        segmentId: b.segment_id ?? null,
        subjects: b.subjects ?? [],
      },
    });
    return c.json(campaignView(campaign), 201);
  });
}
