import { createRoute, z } from "@hono/zod-openapi";
import { setCampaignStatus } from "../../../services/campaigns/set-campaign-status";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, Instant, notFound } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { CampaignIdParam, campaignResponse, campaignView, conflict } from "./schemas";

const ScheduleBody = z
  .strictObject({
    send_at: Instant.optional().openapi({
      description: "When to start (UTC instant; a past time starts at the next due check)",
    }),
    send_at_local: z.string().max(32).optional().openapi({
      description: "Instead of send_at: a wall-clock time, `YYYY-MM-DDTHH:mm`",
      example: "2026-12-10T09:00",
    }),
    time_zone: z.string().max(64).optional().openapi({
      description:
        "With send_at_local: `project` (the project's time_zone), `recipient` (each contact's time_zone, else the project's, else UTC), or an IANA name. A local time skipped by a DST change moves forward by the gap; one that happens twice is the first.",
      example: "recipient",
    }),
  })
  .refine((b) => (b.send_at === undefined) !== (b.send_at_local === undefined), {
    message: "send send_at, or send_at_local with time_zone",
    path: ["send_at"],
  })
  .refine((b) => (b.send_at_local === undefined) === (b.time_zone === undefined), {
    message: "time_zone goes with send_at_local (and only with it)",
    path: ["time_zone"],
  })
  .openapi("ScheduleCampaignRequest");
const scheduleFields = (b: z.infer<typeof ScheduleBody>) => ({
  ...(b.send_at !== undefined ? { sendAt: b.send_at } : {}),
  ...(b.send_at_local !== undefined ? { sendAtLocal: b.send_at_local } : {}),
  ...(b.time_zone !== undefined ? { timeZone: b.time_zone } : {}),
});
const EmptyBody = z.strictObject({}).openapi("EmptyRequest");

// Four addresses for one verb (setCampaignStatus), as experiments' pause and resume.
const ACTIONS = {
  schedule: {
    operationId: "scheduleCampaign",
    summary: "Schedule a draft (or paused) campaign at a UTC instant or a local time",
    description: "Creates the subject experiment (intent `email:<campaign_id>`) the first time.",
    body: ScheduleBody,
  },
  send: {
    operationId: "sendCampaign",
    summary: "Send a draft (or paused) campaign now",
    description:
      "Scheduled at this instant: the start job moves it to sending, writes one row per recipient and sends in batches of 100. The body may be empty or left out.",
    body: EmptyBody,
  },
  pause: {
    operationId: "pauseCampaign",
    summary: "Pause a scheduled or sending campaign",
    description: "Batches not yet sent wait. The body may be empty or left out.",
    body: EmptyBody,
  },
  resume: {
    operationId: "resumeCampaign",
    summary: "Resume a paused campaign (scheduled again at its send_at)",
    description: "The body may be empty or left out.",
    body: EmptyBody,
  },
  cancel: {
    operationId: "cancelCampaign",
    summary: "Cancel a campaign that has not finished",
    description: "Nothing more is sent; what was sent stays recorded. The body may be empty or left out.",
    body: EmptyBody,
  },
} as const;

function actionRoute<A extends keyof typeof ACTIONS>(action: A) {
  const a = ACTIONS[action];
  return createRoute({
    method: "post",
    path: `/v1/campaigns/{campaign_id}/${action}`,
    operationId: a.operationId,
    "x-pushbunny-access": "write",
    tags: ["campaigns"],
    summary: a.summary,
    description: `${a.description} An action the status does not allow is a 409.`,
    security: BEARER,
    middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
    request: {
      params: CampaignIdParam,
      body: {
        required: true,
        content: { "application/json": { schema: a.body as (typeof ACTIONS)[A]["body"] } },
      },
    },
    responses: { 200: campaignResponse("The campaign"), ...commonErrors, ...notFound, ...conflict },
  });
}

/** POST /v1/campaigns/{campaign_id}/schedule, …/send, …/pause, …/resume, …/cancel */
export function registerSetCampaignStatus(app: App) {
  app.openapi(actionRoute("schedule"), async (c) => {
    const campaign = await setCampaignStatus({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: {
        campaignId: c.req.valid("param").campaign_id,
        action: "schedule",
        ...scheduleFields(c.req.valid("json")),
      },
    });
    return c.json(campaignView(campaign), 200);
  });
  for (const action of ["send", "pause", "resume", "cancel"] as const) {
    app.openapi(actionRoute(action), async (c) => {
      const campaign = await setCampaignStatus({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        actor: c.get("actor"),
        input: { campaignId: c.req.valid("param").campaign_id, action },
      });
      return c.json(campaignView(campaign), 200);
    });
  }
}
