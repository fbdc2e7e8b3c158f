import { z } from "@hono/zod-openapi";
import { AD_CHANNELS } from "@pushbunny/db";
import { ErrorEnvelope, Instant } from "../../schemas";

/** Shared by every /v1/ads route: the request and response shapes, snake_case with ISO times. */

export const Channel = z.enum(AD_CHANNELS).openapi({ example: "facebook" });

export const ChannelParams = z.object({
  channel: Channel.openapi({ param: { name: "channel", in: "path" } }),
});

/** A calendar day, for day ranges (metrics are per UTC day as the channel reports it). */
export const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "is not a calendar date",
  )
  .openapi({ example: "2026-11-01" });

/**
 * The shared `Instant` (ISO 8601 with a zone, or Unix milliseconds) read from a query string,
 * where Unix milliseconds arrive as digits.
 */
export const InstantQuery = z
  .string()
  .transform((value, ctx) => {
    const parsed = Instant.safeParse(/^\d+$/.test(value) ? Number(value) : value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({
      code: "custom",
      message: "must be an ISO 8601 date-time with a zone, or Unix milliseconds",
    });
    return z.NEVER;
  })
  .openapi({
    type: "string",
    description: "ISO 8601 date-time with a zone, or Unix milliseconds",
    example: "2026-12-06T09:00:00Z",
  });

export const Limit = (byDefault: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(byDefault).openapi({ example: byDefault });

export const Cursor = z
  .string()
  .max(2000)
  .optional()
  .openapi({ description: "`next_cursor` of the previous page" });

export const NextCursor = z
  .string()
  .nullable()
  .openapi({ description: "Pass as `cursor` for the next page; null on the last page", example: null });

export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});

export const conflict = (description: string) =>
  ({ 409: { description, content: { "application/json": { schema: ErrorEnvelope } } } }) as const;

const Source = z
  .enum(["api", "sandbox"])
  .openapi({ description: "sandbox: deterministic data, no credentials" });

const FAILURE_CODES =
  "connection_failed (DNS or connection), timeout, credentials_rejected (HTTP 401/403 or a bad-token code), rate_limited, channel_error (5xx), malformed_response (not JSON or an unexpected shape), request_rejected (another 4xx), invalid_config, aborted, unexpected";

export const ChannelView = z
  .object({
    channel: Channel,
    source: Source,
    account_id: z.string().nullable(),
    last_status: z.enum(["ok", "error"]).nullable(),
    last_error: z.string().nullable().openapi({ description: "Why the last sync of this channel failed" }),
    last_error_code: z
      .string()
      .nullable()
      .openapi({ description: `One of ${FAILURE_CODES}` }),
    last_synced_at: z.string().nullable(),
    connected_at: z.string(),
  })
  .openapi("AdChannel");

export const SyncFailure = z
  .object({
    kind: z.string().openapi({ description: "auth, rate_limited, transient, bad_response or config" }),
    code: z
      .string()
      .optional()
      .openapi({ description: `One of ${FAILURE_CODES}; absent on older runs` }),
    message: z.string().openapi({ description: "What happened, for people; never holds a credential" }),
    status: z.number().optional().openapi({ description: "HTTP status of the failed response" }),
    retry_after_ms: z.number().optional().openapi({ description: "How long the channel asked us to wait" }),
    retry_at: z.string().optional().openapi({ description: "When this channel is tried again" }),
    retryAfterMs: z.number().optional().openapi({ deprecated: true, description: "Use retry_after_ms" }),
  })
  .openapi("AdSyncFailure");

export const RunView = z
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
        source: Source,
        status: z.enum(["ok", "error"]),
        rows: z.number(),
        attempts: z.number(),
        error: SyncFailure.optional(),
      }),
    ),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi("AdSyncRun");

export const SyncStatus = z
  .object({
    schedule: z.string().openapi({ example: "0 * * * *" }),
    paused: z.boolean(),
    paused_at: z.string().nullable(),
    next_run_at: z
      .string()
      .nullable()
      .openapi({ description: "null while paused or with no channel connected" }),
    channels: z.array(ChannelView),
    runs: z
      .array(RunView)
      .openapi({ description: "The last 20 runs, newest first; older ones in /v1/ads/sync/runs" }),
  })
  .openapi("AdSyncStatus");

export const CampaignRow = z
  .object({
    channel: Channel,
    campaign_id: z.string(),
    campaign_name: z.string(),
    date: z.string(),
    source: Source,
    cost: z.number(),
    clicks: z.number(),
    impressions: z.number(),
    engagement: z.number(),
    conversions: z.number(),
    conversion_value: z.number(),
    conversion_rate: z.number().nullable(),
    roi: z.number().nullable(),
    synced_at: z.string(),
  })
  .openapi("AdCampaignDay");

export const ChannelSummary = z
  .object({
    channel: z.union([Channel, z.literal("all")]),
    campaigns: z.number(),
    days: z.number(),
    cost: z.number(),
    clicks: z.number(),
    impressions: z.number(),
    engagement: z.number(),
    conversions: z.number(),
    conversion_value: z.number(),
    ctr: z.number().nullable(),
    cpc: z.number().nullable(),
    cpa: z.number().nullable(),
    conversion_rate: z.number().nullable(),
    roas: z.number().nullable(),
    roi: z.number().nullable(),
  })
  .openapi("AdChannelSummary");

export type ChannelViewJson = z.infer<typeof ChannelView>;
export type SyncRunView = z.infer<typeof RunView>;
export type SyncStatusJson = z.infer<typeof SyncStatus>;
export type CampaignRowView = z.infer<typeof CampaignRow>;
export type ChannelSummaryView = z.infer<typeof ChannelSummary>;
