import { ID_PATTERN } from "@pushbunny/core";
import * as z from "zod";

/** Queue names as in wrangler.toml; consumers dispatch on them. */
export const QUEUES = {
  events: "pushbunny-events",
  jobs: "pushbunny-jobs",
  deadLetter: "pushbunny-dlq",
} as const;

const id = z.string().regex(ID_PATTERN);
const ms = z.number().int().nonnegative();

/** One served message, recorded off the hot path. */
export const ImpressionMessage = z.object({
  kind: z.literal("impression"),
  id,
  projectId: id,
  experimentId: id,
  variantId: id,
  userId: z.string().max(256).nullable(),
  createdAt: ms,
  /** Allocation version it was served under (absent in messages queued before migration 0002). */
  allocation: ms.nullable().optional(),
  /** /v1/resolve's free-text context (absent from /v1/message and older messages). */
  context: z.string().max(256).nullable().optional(),
});

/** A web experiment's secondary metric as an events type (`m:<metric name>`): counted by no trigger. */
export const METRIC_EVENT_TYPE = /^m:[a-z][a-z0-9_.-]{0,63}$/;
export type MetricEventType = `m:${string}`;
const isMetricEventType = (v: unknown): v is MetricEventType =>
  typeof v === "string" && METRIC_EVENT_TYPE.test(v);

// (impression, type) is an event's identity. Messages queued by builds before migration 0001
// also carried an `id`; the schema strips it, so they are still consumed.
export const TrackedEvent = z.object({
  impressionId: id,
  experimentId: id,
  variantId: id,
  type: z.union([
    z.enum(["opened", "conversion"]),
    z.custom<MetricEventType>(isMetricEventType, "expected 'opened', 'conversion' or 'm:<metric name>'"),
  ]),
  occurredAt: ms,
  impressionAt: ms,
  properties: z.record(z.string(), z.string()).nullable(),
});

/** Events verified at the edge, packed many to a message. */
export const EventsMessage = z.object({
  kind: z.literal("events"),
  projectId: id,
  receivedAt: ms,
  events: z.array(TrackedEvent).min(1).max(1000),
});

export const EventsQueueMessage = z.discriminatedUnion("kind", [ImpressionMessage, EventsMessage]);
export type EventsQueueMessage = z.infer<typeof EventsQueueMessage>;
export type ImpressionMessage = z.infer<typeof ImpressionMessage>;
export type EventsMessage = z.infer<typeof EventsMessage>;
export type TrackedEvent = z.infer<typeof TrackedEvent>;

/** Background work. */
export const GenerateJob = z.object({
  kind: z.literal("generate"),
  projectId: id,
  experimentId: id,
});
export type GenerateJob = z.infer<typeof GenerateJob>;
/** One ad-channel sync run (hourly, by hand, or a retry of the channels that failed). */
export const AdSyncJob = z.object({
  kind: z.literal("adsync"),
  projectId: id,
  runId: id,
});
export type AdSyncJob = z.infer<typeof AdSyncJob>;
/** Turns a notification into deliveries and queues them in batches. */
export const PushDispatchJob = z.object({
  kind: z.literal("push_dispatch"),
  projectId: id,
  notificationId: id,
});
export type PushDispatchJob = z.infer<typeof PushDispatchJob>;
/** Up to 100 deliveries of one notification, sent together. */
export const PushBatchJob = z.object({
  kind: z.literal("push"),
  projectId: id,
  notificationId: id,
  deliveryIds: z.array(id).min(1).max(100),
  /** 1 for the first send; retries of the batch's remaining deliveries count up. */
  attempt: z.number().int().min(1).max(100).optional(),
});
export type PushBatchJob = z.infer<typeof PushBatchJob>;
/** Processes the next chunks of a contact CSV import (the import row holds the cursor). */
export const ContactImportJob = z.object({
  kind: z.literal("contact_import"),
  projectId: id,
  importId: id,
});
export type ContactImportJob = z.infer<typeof ContactImportJob>;
/** Starts a campaign when due: materializes its recipients and queues one batch job per 100. */
export const CampaignStartJob = z.object({
  kind: z.literal("campaign_start"),
  projectId: id,
  campaignId: id,
});
export type CampaignStartJob = z.infer<typeof CampaignStartJob>;
/** Sends one batch of a campaign (its rows hold who); retries of retryable failures count up. */
export const CampaignBatchJob = z.object({
  kind: z.literal("campaign_batch"),
  projectId: id,
  campaignId: id,
  batch: z.number().int().nonnegative(),
  attempt: z.number().int().min(1).max(100).optional(),
  /** When the batch's rows are due (recipient time zones): a job that wakes early waits again. */
  dueAt: ms.optional(),
});
export type CampaignBatchJob = z.infer<typeof CampaignBatchJob>;
/** Sends outbound webhook deliveries (rows written first; each is claimed before its send). */
export const WebhookDeliverJob = z.object({
  kind: z.literal("webhook_deliver"),
  projectId: id,
  deliveryIds: z.array(id).min(1).max(100),
});
export type WebhookDeliverJob = z.infer<typeof WebhookDeliverJob>;
/** One attempt of an implementation run (the agent opens a draft PR for a web experiment). */
export const WebImplementJob = z.object({
  kind: z.literal("web_implement"),
  projectId: id,
  runId: id,
});
export type WebImplementJob = z.infer<typeof WebImplementJob>;
export const JobsQueueMessage = z.discriminatedUnion("kind", [
  GenerateJob,
  AdSyncJob,
  PushDispatchJob,
  PushBatchJob,
  ContactImportJob,
  CampaignStartJob,
  CampaignBatchJob,
  WebhookDeliverJob,
  WebImplementJob,
]);
export type JobsQueueMessage = z.infer<typeof JobsQueueMessage>;

/** Backoff for a retried message: 2, 4, 8 … seconds, capped at five minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(2 ** Math.max(1, attempts), 300);
}

// ---------------------------------------------------------------------------------------------
// The consumer checks every body against EventsQueueMessage. zod's general machinery cost ~7%
// of the Worker's CPU under load, so bodies are first checked by the hand-written mirror below.
// It only ever *accepts* a body zod would accept, with the same output (tests compare the two
// on valid bodies and on a large set of mutated ones); anything it does not accept is handed
// to zod, which gives the verdict and the reason. So the rules stay exactly the schema's.

const isIdValue = (v: unknown): v is string => typeof v === "string" && ID_PATTERN.test(v);
const isMs = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** A plain data object: the only kind structured clone delivers and the fast path accepts. */
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function fastProperties(v: unknown): Record<string, string> | null | undefined {
  if (v === null) return null;
  if (!isPlainRecord(v)) return undefined;
  if (Object.getOwnPropertySymbols(v).length > 0) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(v)) {
    if (key === "__proto__") return undefined;
    const value = v[key];
    if (typeof value !== "string") return undefined;
    out[key] = value;
  }
  // Non-enumerable own keys would be treated differently; leave such bodies to zod.
  if (Object.getOwnPropertyNames(v).length !== Object.keys(v).length) return undefined;
  return out;
}

function fastEvent(v: unknown): TrackedEvent | undefined {
  if (!isPlainRecord(v)) return undefined;
  const { impressionId, experimentId, variantId, type, occurredAt, impressionAt } = v;
  if (
    !isIdValue(impressionId) ||
    !isIdValue(experimentId) ||
    !isIdValue(variantId) ||
    (type !== "opened" && type !== "conversion" && !isMetricEventType(type)) ||
    !isMs(occurredAt) ||
    !isMs(impressionAt)
  ) {
    return undefined;
  }
  const properties = fastProperties(v.properties);
  if (properties === undefined) return undefined;
  return { impressionId, experimentId, variantId, type, occurredAt, impressionAt, properties };
}

/** The fast path alone: a parsed body, or undefined when zod must decide. Exported for tests. */
export function fastParseEventsQueueMessage(body: unknown): EventsQueueMessage | undefined {
  if (!isPlainRecord(body)) return undefined;
  if (body.kind === "events") {
    const { projectId, receivedAt, events } = body;
    if (!isIdValue(projectId) || !isMs(receivedAt) || !Array.isArray(events)) return undefined;
    if (events.length < 1 || events.length > 1000) return undefined;
    const out: TrackedEvent[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) {
      if (!(i in events)) return undefined;
      const e = fastEvent(events[i]);
      if (!e) return undefined;
      out[i] = e;
    }
    return { kind: "events", projectId, receivedAt, events: out };
  }
  if (body.kind === "impression") {
    const { id, projectId, experimentId, variantId, userId, createdAt, allocation, context } = body;
    if (
      !isIdValue(id) ||
      !isIdValue(projectId) ||
      !isIdValue(experimentId) ||
      !isIdValue(variantId) ||
      !(userId === null || (typeof userId === "string" && userId.length <= 256)) ||
      !isMs(createdAt) ||
      !(allocation === undefined || allocation === null || isMs(allocation)) ||
      !(context === undefined || context === null || (typeof context === "string" && context.length <= 256))
    ) {
      return undefined;
    }
    const message: ImpressionMessage = {
      kind: "impression",
      id,
      projectId,
      experimentId,
      variantId,
      userId,
      createdAt,
    };
    if (allocation !== undefined) message.allocation = allocation;
    if (context !== undefined) message.context = context;
    return message;
  }
  return undefined;
}

/** EventsQueueMessage.safeParse, with the fast path above for bodies that are plainly valid. */
export function parseEventsQueueMessage(
  body: unknown,
): { success: true; data: EventsQueueMessage } | { success: false; reason: string } {
  const fast = fastParseEventsQueueMessage(body);
  if (fast) return { success: true, data: fast };
  const parsed = EventsQueueMessage.safeParse(body);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, reason: parsed.error.issues[0]?.message ?? "unknown" };
}
