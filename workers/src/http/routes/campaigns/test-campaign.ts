import { createRoute, z } from "@hono/zod-openapi";
import { sendTest } from "../../../services/campaigns/send-test";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { CampaignIdParam } from "./schemas";

const TestCampaignRequest = z
  .strictObject({
    to: z
      .array(z.string().trim().min(3).max(320))
      .min(1)
      .max(10)
      .openapi({ example: ["me@example.com"] }),
  })
  .openapi("TestCampaignRequest");

const route = createRoute({
  method: "post",
  path: "/v1/campaigns/{campaign_id}/test",
  operationId: "testCampaign",
  "x-pushbunny-access": "write",
  tags: ["campaigns"],
  summary: "Send a test to up to 10 addresses (subject marked [Test], one per subject line, not tracked)",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    params: CampaignIdParam,
    body: { required: true, content: { "application/json": { schema: TestCampaignRequest } } },
  },
  responses: {
    200: {
      description: "What the transport did with each test email",
      content: {
        "application/json": {
          schema: z.object({
            results: z.array(
              z.object({
                to: z.string(),
                subject: z.string(),
                status: z.enum(["accepted", "failed"]),
                error: z.string().nullable(),
              }),
            ),
          }),
        },
      },
    },
    ...commonErrors,
    ...notFound,
  },
});

/** POST /v1/campaigns/{campaign_id}/test */
export function registerTestCampaign(app: App) {
  app.openapi(route, async (c) => {
    const result = await sendTest({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { campaignId: c.req.valid("param").campaign_id, to: c.req.valid("json").to },
    });
    return c.json(result, 200);
  });
}
