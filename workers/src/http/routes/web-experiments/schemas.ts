import { z } from "@hono/zod-openapi";
import { RUN_PHASES, RUN_STATUSES, WEB_EXPERIMENT_STATUSES, WEB_TARGET_TYPES } from "@pushbunny/db";
import { EXPORT_LIMIT } from "../../../services/web-experiments/export-web-events";
import { LIST_LIMIT } from "../../../services/web-experiments/list-web-experiments";
import { ErrorEnvelope, PageCursor } from "../../schemas";

/**
 * Shared by every /v1/web-experiments route. Shapes are loose where the verb gives the
 * clearer message (segment count, traffic sum, duplicate keys, metric names): it re-validates
 * everything with one readable issue per field.
 */

export const WebKeyParams = z.object({
  key: z
    .string()
    .min(1)
    .max(63)
    .openapi({ param: { name: "key", in: "path" }, example: "pricing-cta" }),
});

export const SegmentInput = z
  .strictObject({
    key: z.string().max(200).openapi({ description: "slug, unique in the experiment", example: "control" }),
    name: z.string().max(500).openapi({ example: "Current button" }),
    traffic_percent: z
      .number()
      .openapi({ description: "0..100, at most 2 decimals; all add up to 100", example: 50 }),
    description: z.string().max(5_000).default("").openapi({ example: "The page as it is today" }),
  })
  .openapi("WebSegmentInput");

const Metric = z.string().max(200).openapi({ example: "signup" });
const PreviewUrl = z.string().max(2_000).nullable().openapi({
  description: "https (or http://localhost); previews add #seg-<segment key>",
  example: "https://staging.example.com/pricing",
});
const Repository = z.string().max(300).nullable().openapi({ description: "owner/name", example: "acme/web" });
const BaseBranch = z.string().max(300).nullable().openapi({ example: "main" });

export const CreateWebExperimentRequest = z
  .strictObject({
    key: z.string().max(200).openapi({ example: "pricing-cta" }),
    hypothesis: z.string().max(5_000).openapi({ example: "A green call to action gets more sign-ups" }),
    target_type: z.enum(WEB_TARGET_TYPES),
    target: z.string().max(1_000).openapi({ example: "/pricing" }),
    segments: z.array(SegmentInput).max(50),
    primary_metric: Metric,
    secondary_metrics: z.array(Metric).max(50).default([]),
    preview_url: PreviewUrl.optional(),
    repository: Repository.optional(),
    base_branch: BaseBranch.optional(),
  })
  .openapi("CreateWebExperimentRequest");

export const UpdateWebExperimentRequest = z
  .strictObject({
    hypothesis: z.string().max(5_000).optional(),
    target_type: z.enum(WEB_TARGET_TYPES).optional(),
    target: z.string().max(1_000).optional(),
    segments: z.array(SegmentInput).max(50).optional(),
    primary_metric: Metric.optional(),
    secondary_metrics: z.array(Metric).max(50).optional(),
    preview_url: PreviewUrl.optional(),
    repository: Repository.optional(),
    base_branch: BaseBranch.optional(),
  })
  .openapi("UpdateWebExperimentRequest");

export const PreviewUrlRequest = z.strictObject({ preview_url: PreviewUrl }).openapi("WebPreviewUrlRequest");

export const ReasonRequest = z
  .strictObject({ reason: z.string().trim().max(500).optional() })
  .openapi("WebTransitionRequest");

const Time = z.string().openapi({ format: "date-time", example: "2026-12-06T09:00:00.000Z" });

export const WebExperiment = z
  .object({
    key: z.string(),
    experiment_id: z
      .string()
      .openapi({ description: "The engine experiment: /v1/experiments/{id}/analysis etc." }),
    status: z.enum(WEB_EXPERIMENT_STATUSES),
    status_reason: z.string().nullable(),
    hypothesis: z.string(),
    target_type: z.enum(WEB_TARGET_TYPES),
    target: z.string(),
    segments: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        traffic_percent: z.number(),
        description: z.string(),
        variant_id: z.string(),
      }),
    ),
    primary_metric: z.string(),
    secondary_metrics: z.array(z.string()),
    preview_url: z.string().nullable(),
    preview_links: z.array(z.object({ segment: z.string(), url: z.string() })),
    repository: z.string().nullable(),
    base_branch: z.string().nullable(),
    branch: z.string().nullable(),
    pull_number: z.number().int().nullable(),
    pull_url: z.string().nullable(),
    activated_at: Time.nullable(),
    finished_at: Time.nullable(),
    created_at: Time,
    updated_at: Time,
  })
  .openapi("WebExperiment");

export const webExperimentResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: WebExperiment } },
});

export const conflict = (description: string) => ({
  409: { description, content: { "application/json": { schema: ErrorEnvelope } } },
});

export const ListWebExperimentsQuery = z.object({
  status: z.enum(WEB_EXPERIMENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(LIST_LIMIT.min).max(LIST_LIMIT.max).default(20).openapi({ example: 20 }),
  cursor: PageCursor,
});

export const WebExperimentList = z
  .object({ experiments: z.array(WebExperiment), next_cursor: z.string().nullable() })
  .openapi("WebExperimentList");

export const WebStatus = z
  .object({
    status: z.enum(WEB_EXPERIMENT_STATUSES),
    phase: z.string().openapi({ description: "The newest implementation run's phase, or the status" }),
    reason: z.string().nullable(),
    log: z.array(z.object({ at: Time, phase: z.enum(RUN_PHASES), message: z.string() })),
    run: z
      .object({
        id: z.string(),
        status: z.enum(RUN_STATUSES),
        phase: z.enum(RUN_PHASES),
        usage: z
          .object({
            tool_calls: z.number(),
            files_read: z.number(),
            bytes_written: z.number(),
            tokens: z.number(),
            wall_ms: z.number(),
          })
          .nullable(),
        error: z.string().nullable(),
        started_at: Time.nullable(),
        finished_at: Time.nullable(),
        branch: z.string().nullable(),
        pull_url: z.string().nullable(),
        files: z.array(z.string()),
        has_diff: z.boolean(),
      })
      .nullable(),
  })
  .openapi("WebExperimentStatus");

const Interval = z.object({ low: z.number(), high: z.number() });

export const WebResults = z
  .object({
    key: z.string(),
    experiment_id: z.string(),
    status: z.enum(WEB_EXPERIMENT_STATUSES),
    primary_metric: z.string(),
    secondary_metrics: z.array(z.string()),
    segments: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        variant_id: z.string(),
        traffic_percent: z.number(),
        exposures: z.number().int(),
        exposure_share: z.number(),
        primary: z.object({
          metric: z.string(),
          conversions: z.number().int(),
          rate: z.number(),
          ci95: Interval,
          p_best: z.number(),
          chance_to_beat_control: z.number().nullable(),
        }),
        secondary: z.array(z.object({ metric: z.string(), count: z.number().int(), rate: z.number() })),
      }),
    ),
    srm: z
      .object({ chi2: z.number(), df: z.number(), p_value: z.number(), alarm: z.boolean() })
      .nullable()
      .openapi({ description: "Sample-ratio test of exposures against the segments' traffic" }),
    decision: z.object({ status: z.string(), variant_id: z.string().nullable(), reason: z.string() }),
  })
  .openapi("WebExperimentResults");

export const WebEventsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(EXPORT_LIMIT.min)
    .max(EXPORT_LIMIT.max)
    .default(100)
    .openapi({ example: 100 }),
  cursor: PageCursor,
});

export const WebEventsPage = z
  .object({
    events: z.array(
      z.object({
        type: z.enum(["exposure", "metric"]),
        segment: z.string().nullable(),
        metric: z.string().nullable(),
        anonymous_id: z.string().nullable(),
        at: Time,
        properties: z.record(z.string(), z.string()).nullable(),
      }),
    ),
    next_cursor: z.string().nullable(),
  })
  .openapi("WebExperimentEvents");
