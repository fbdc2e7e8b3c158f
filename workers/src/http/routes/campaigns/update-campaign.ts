import { createRoute, z } from "@hono/zod-openapi";
import { updateCampaign } from "../../../services/campaigns/update-campaign";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ReplyTo } from "../templates/schemas";
import {
  CampaignIdParam,
  CampaignName,
  campaignResponse,
  campaignView,
  conflict,
  FromAddress,
  SegmentRef,
  Subjects,
  TemplateRef,
} from "./schemas";

export const UpdateCampaignRequest = z
  .strictObject({
    name: CampaignName.optional(),
    from: FromAddress.optional(),
    reply_to: ReplyTo.optional(),
    template_id: TemplateRef.optional(),
    segment_id: SegmentRef.optional(),
    subjects: Subjects.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: "send at least one field to change",
  })
  .openapi("UpdateCampaignRequest");

const route = createRoute({
  method: "patch",
  path: "/v1/campaigns/{campaign_id}",
  operationId: "updateCampaign",
  "x-pushbunny-access": "write",
  tags: ["campaigns"],
  summary: "Change a draft campaign (409 once it left draft)",
  security: BEARER,
  request: {
    params: CampaignIdParam,
    body: { required: true, content: { "application/json": { schema: UpdateCampaignRequest } } },
  },
  responses: { 200: campaignResponse("The campaign"), ...commonErrors, ...notFound, ...conflict },
});

/** PATCH /v1/campaigns/{campaign_id} */
export function registerUpdateCampaign(app: App) {
  app.openapi(route, async (c) => {
    const b = c.req.valid("json");
    const campaign = await updateCampaign({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        campaignId: c.req.valid("param").campaign_id,
        name: b.name,
        from: b.from,
        replyTo: b.reply_to,
        templateId: b.template_id,
        segmentId: b.segment_id,
        subjects: b.subjects,
      },
    });
    return c.json(campaignView(campaign), 200);
  });
}
