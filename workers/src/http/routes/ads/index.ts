import { createRoute, z } from "@hono/zod-openapi";
import { AD_CHANNELS } from "@pushbunny/db";
import { BadRequestError } from "../../../errors";
import {
  connectChannel,
  disconnectChannel,
  listChannels,
  requestSync,
  setSyncPaused,
  syncStatus,
} from "../../../services/ad-sync";
import { adsSummary, listCampaigns } from "../../../services/ads-report";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope, notFound, unavailable } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";

const Channel = z.enum(AD_CHANNELS).openapi({ example: "facebook" });
const ChannelParams = z.object({
  channel: Channel.openapi({ param: { name: "channel", in: "path" } }),
});
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "is not a calendar date",
  )
  .openapi({ example: "2026-11-01" });

const conflict = (description: string) =>
  ({ 409: { description, content: { "application/json": { schema: ErrorEnvelope } } } }) as const;

const ChannelView = z
  .object({
    channel: Channel,
    source: z
      .enum(["api", "sandbox"])
      .openapi({ description: "sandbox: deterministic data, no credentials" }),
    account_id: z.string().nullable(),
    last_status: z.string().nullable(),
    last_error: z.string().nullable(),
    last_synced_at: z.string().nullable(),
    connected_at: z.string(),
  })
  .openapi("AdChannel");

const RunView = z
  .object({
    run_id: z.string(),
    trigger: z.enum(["schedule", "manual", "retry"]),
    status: z.enum(["queued", "running", "succeeded", "partial", "failed"]),
    attempt: z.number(),
    since: z.string(),
    until: z.string(),
    channels: z.array(Channel).nullable(),
    rows: z.number(),
    results: z.array(
      z.object({
        channel: Channel,
        source: z.enum(["api", "sandbox"]),
        status: z.enum(["ok", "error"]),
        rows: z.number(),
        attempts: z.number(),
        error: z
          .object({ kind: z.string(), message: z.string(), retryAfterMs: z.number().optional() })
          .optional(),
      }),
    ),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi("AdSyncRun");

const SyncStatus = z
  .object({
    schedule: z.string().openapi({ example: "0 * * * *" }),
    paused: z.boolean(),
    paused_at: z.string().nullable(),
    next_run_at: z
      .string()
      .nullable()
      .openapi({ description: "null while paused or with no channel connected" }),
    channels: z.array(ChannelView),
    runs: z.array(RunView).openapi({ description: "The last 20 runs, newest first" }),
  })
  .openapi("AdSyncStatus");

const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});

const ConnectBody = z
  .strictObject({
    credentials: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description:
          "The channel's API credentials (see the README); omit them to use the sandbox source. Stored sealed (AES-GCM) and never returned.",
        example: { accessToken: "EAAB…", adAccountId: "1029384756" },
      }),
  })
  .openapi("ConnectAdChannel");

const routes = {
  listChannels: createRoute({
    method: "get",
    path: "/v1/ads/channels",
    operationId: "listAdChannels",
    tags: ["ads"],
    summary: "Connected ad channels",
    security: BEARER,
    responses: {
      200: json("The project's channels", z.object({ channels: z.array(ChannelView) })),
      ...commonErrors,
    },
  }),
  connect: createRoute({
    method: "put",
    path: "/v1/ads/channels/{channel}",
    operationId: "connectAdChannel",
    tags: ["ads"],
    summary: "Connect a channel (or replace its credentials); queues its first sync",
    description:
      "With `credentials`, the real API; without, the deterministic sandbox. The first sync backfills 30 days.",
    security: BEARER,
    middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
    request: {
      params: ChannelParams,
      body: { required: false, content: { "application/json": { schema: ConnectBody } } },
    },
    responses: {
      200: json("The connection and its first sync run", z.object({ channel: ChannelView, run: RunView })),
      ...commonErrors,
      ...unavailable,
    },
  }),
  disconnect: createRoute({
    method: "delete",
    path: "/v1/ads/channels/{channel}",
    operationId: "disconnectAdChannel",
    tags: ["ads"],
    summary: "Disconnect a channel (its synced metrics stay)",
    security: BEARER,
    request: { params: ChannelParams },
    responses: { 204: { description: "Disconnected" }, ...commonErrors, ...notFound },
  }),
  campaigns: createRoute({
    method: "get",
    path: "/v1/ads/campaigns",
    operationId: "listAdCampaigns",
    tags: ["ads"],
    summary: "Campaign metrics per day, newest first",
    security: BEARER,
    request: {
      query: z.object({
        channel: Channel.optional(),
        campaign_id: z.string().trim().min(1).max(64).optional(),
        date_from: Day.optional(),
        date_to: Day.optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z
          .string()
          .max(2000)
          .optional()
          .openapi({ description: "`next_cursor` of the previous page" }),
      }),
    },
    responses: {
      200: json(
        "A page of rows",
        z.object({
          campaigns: z.array(
            z.object({
              channel: Channel,
              campaign_id: z.string(),
              campaign_name: z.string(),
              date: z.string(),
              source: z.enum(["api", "sandbox"]),
              cost: z.number(),
              clicks: z.number(),
              impressions: z.number(),
              engagement: z.number(),
              conversions: z.number(),
              conversion_value: z.number(),
              conversion_rate: z.number().nullable(),
              roi: z.number().nullable(),
              synced_at: z.string(),
            }),
          ),
          next_cursor: z.string().nullable(),
        }),
      ),
      ...commonErrors,
    },
  }),
  summary: createRoute({
    method: "get",
    path: "/v1/ads/summary",
    operationId: "getAdSummary",
    tags: ["ads"],
    summary: "Totals and ROI per channel and overall",
    security: BEARER,
    request: {
      query: z.object({ channel: Channel.optional(), date_from: Day.optional(), date_to: Day.optional() }),
    },
    responses: {
      200: json("Per-channel totals", z.record(z.string(), z.unknown())),
      ...commonErrors,
    },
  }),
  status: createRoute({
    method: "get",
    path: "/v1/ads/sync/status",
    operationId: "getAdSyncStatus",
    tags: ["ads"],
    summary: "Schedule, next run, channels and the last runs",
    security: BEARER,
    responses: { 200: json("The sync status", SyncStatus), ...commonErrors },
  }),
  runNow: createRoute({
    method: "post",
    path: "/v1/ads/sync",
    operationId: "runAdSync",
    tags: ["ads"],
    summary: "Sync now (all connected channels, or the ones named)",
    description:
      "Queues a run and answers 202 with it; follow it in /v1/ads/sync/status. Works while the schedule is paused.",
    security: BEARER,
    middleware: [limitBody(4 * 1024), emptyJsonIsEmptyObject] as const,
    request: {
      body: {
        required: false,
        content: {
          "application/json": {
            schema: z.strictObject({ channels: z.array(Channel).min(1).max(4).optional() }),
          },
        },
      },
    },
    responses: {
      202: json("The queued run", RunView),
      ...commonErrors,
      ...conflict("No channel (or a named one) is connected"),
    },
  }),
  pause: createRoute({
    method: "post",
    path: "/v1/ads/sync/pause",
    operationId: "pauseAdSync",
    tags: ["ads"],
    summary: "Pause the hourly sync for this project",
    security: BEARER,
    responses: { 200: json("The sync status", SyncStatus), ...commonErrors },
  }),
  resume: createRoute({
    method: "post",
    path: "/v1/ads/sync/resume",
    operationId: "resumeAdSync",
    tags: ["ads"],
    summary: "Resume the hourly sync for this project",
    security: BEARER,
    responses: { 200: json("The sync status", SyncStatus), ...commonErrors },
  }),
};

function checkRange(from?: string, to?: string) {
  if (from && to && from > to) {
    throw new BadRequestError("date_from must not be after date_to", [
      { path: "date_from", message: "after date_to" },
    ]);
  }
}

/** Every /v1/ads route: channels, campaigns, summary, sync status, run now, pause/resume. */
export function registerAdsRoutes(app: App) {
  app.openapi(routes.listChannels, async (c) => {
    const channels = await listChannels({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json({ channels }, 200);
  });
  app.openapi(routes.connect, async (c) => {
    const { channel } = c.req.valid("param");
    const body = c.req.valid("json");
    const result = await connectChannel({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { channel, ...(body?.credentials ? { credentials: body.credentials } : {}) },
    });
    return c.json(result, 200);
  });
  app.openapi(routes.disconnect, async (c) => {
    const { channel } = c.req.valid("param");
    await disconnectChannel({ ctx: c.get("ctx"), projectId: c.get("owner").projectId, input: { channel } });
    return c.body(null, 204);
  });
  app.openapi(routes.campaigns, async (c) => {
    const q = c.req.valid("query");
    checkRange(q.date_from, q.date_to);
    const page = await listCampaigns({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        channel: q.channel,
        campaignId: q.campaign_id,
        dateFrom: q.date_from,
        dateTo: q.date_to,
        limit: q.limit,
        cursor: q.cursor,
      },
    });
    return c.json(page, 200);
  });
  app.openapi(routes.summary, async (c) => {
    const q = c.req.valid("query");
    checkRange(q.date_from, q.date_to);
    const summary = await adsSummary({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { channel: q.channel, dateFrom: q.date_from, dateTo: q.date_to },
    });
    return c.json(summary, 200);
  });
  app.openapi(routes.status, async (c) => {
    return c.json(await syncStatus({ ctx: c.get("ctx"), projectId: c.get("owner").projectId }), 200);
  });
  app.openapi(routes.runNow, async (c) => {
    const body = c.req.valid("json");
    const run = await requestSync({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { trigger: "manual", ...(body?.channels ? { channels: [...new Set(body.channels)] } : {}) },
    });
    return c.json(run, 202);
  });
  for (const [route, paused] of [
    [routes.pause, true],
    [routes.resume, false],
  ] as const) {
    app.openapi(route, async (c) => {
      return c.json(
        await setSyncPaused({ ctx: c.get("ctx"), projectId: c.get("owner").projectId, input: { paused } }),
        200,
      );
    });
  }
}
