import { z } from "@hono/zod-openapi";
import { CAMPAIGN_STATUSES } from "@pushbunny/db";
import type { Campaign } from "../../../services/campaigns/lib/campaign";
import { ErrorEnvelope } from "../../schemas";
import { STORABLE, storableText } from "../contacts/schemas";
import { iso, PathId } from "../push/shared";

export const CampaignIdParam = z.object({ campaign_id: PathId("campaign_id", "cmp_0a1b2c3d4e5f60718293") });

export const conflict = {
  409: {
    description: "The campaign's status does not allow this",
    content: { "application/json": { schema: ErrorEnvelope } },
  },
} as const;

export const CampaignName = z.string().trim().min(1).max(120).refine(storableText, STORABLE);
// `Name <address>` or a bare address; one line, so no header can be smuggled in.
export const FromAddress = z
  .string()
  .trim()
  .max(320)
  .refine(
    (v) =>
      /^(?:[^<>\r\n"]{1,100} <[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+>|[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+)$/.test(
        v,
      ),
    "an address, or `Name <address>`",
  )
  .openapi({ example: "Bunny Shop <news@shop.example.com>" });
export const TemplateRef = z.string().min(1).max(64).openapi({ example: "tpl_0a1b2c3d4e5f60718293" });
export const SegmentRef = z
  .string()
  .min(1)
  .max(64)
  .nullable()
  .openapi({ description: "null: every subscribed contact", example: "seg_0a1b2c3d4e5f60718293" });
export const Subjects = z
  .array(
    z
      .string()
      .trim()
      .min(1)
      .max(240)
      .refine(storableText, STORABLE)
      .refine((v) => !/[\r\n]/.test(v), "must be one line"),
  )
  .max(5)
  .openapi({
    description:
      "None, or 2–5 Mustache subject lines tested against the template's subject (an experiment of the engine, sticky per contact)",
    example: ["{{name}}, spring is here", "Linen season starts today"],
  });

export const CampaignView = z
  .object({
    campaign_id: z.string().openapi({ example: "cmp_0a1b2c3d4e5f60718293" }),
    name: z.string(),
    from: z.string(),
    reply_to: z.string().nullable(),
    template_id: z.string(),
    segment_id: z.string().nullable(),
    subjects: z.array(z.string()),
    status: z.enum(CAMPAIGN_STATUSES),
    send_at: z.string().nullable().openapi({
      format: "date-time",
      description:
        "When it starts (UTC); scheduled for recipients' zones, when the earliest zone (UTC+14) reaches the local time",
    }),
    send_at_local: z
      .string()
      .nullable()
      .openapi({ description: "The local time it was scheduled at, if any", example: "2026-12-10T09:00" }),
    time_zone: z.string().nullable().openapi({
      description:
        "`recipient` (each contact's zone, else the project's, else UTC) or the IANA zone of send_at_local",
      example: "recipient",
    }),
    next_due: z
      .array(
        z.object({
          at: z.string().openapi({ format: "date-time" }),
          recipients: z
            .number()
            .int()
            .nullable()
            .openapi({ description: "null: the audience is read at the start" }),
        }),
      )
      .optional()
      .openapi({
        description:
          "GET only: the instants still to come (soonest first, up to 48) and how many recipients each; empty once nothing is left to send",
      }),
    experiment_id: z
      .string()
      .nullable()
      .openapi({ description: "The subject experiment (intent `email:<campaign_id>`), set when scheduled" }),
    arms: z
      .array(z.object({ variant_id: z.string(), subject: z.string() }))
      .nullable()
      .openapi({ description: "Which variant carries which subject; the control is the template's" }),
    counts: z.object({
      recipients: z.number().int(),
      sent: z.number().int(),
      failed: z.number().int(),
      skipped: z.number().int(),
    }),
    started_at: z.string().nullable().openapi({ format: "date-time" }),
    completed_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("EmailCampaign");

export const campaignResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: CampaignView } },
});

export const campaignView = (c: Campaign): z.infer<typeof CampaignView> => ({
  campaign_id: c.id,
  name: c.name,
  from: c.from,
  reply_to: c.replyTo,
  template_id: c.templateId,
  segment_id: c.segmentId,
  subjects: c.subjects,
  status: c.status,
  send_at: iso(c.sendAt),
  send_at_local: c.sendAtLocal,
  time_zone: c.timeZone,
  ...(c.nextDue
    ? { next_due: c.nextDue.map((d) => ({ at: iso(d.at) ?? "", recipients: d.recipients })) }
    : {}),
  experiment_id: c.experimentId,
  arms: c.arms?.map((a) => ({ variant_id: a.variantId, subject: a.subject })) ?? null,
  counts: c.counts,
  started_at: iso(c.startedAt),
  completed_at: iso(c.completedAt),
  created_at: iso(c.createdAt),
  updated_at: iso(c.updatedAt),
});
