import * as z from "zod";

/** Queue names as in wrangler.toml; consumers dispatch on them. */
export const QUEUES = {
  events: "pushbunny-events",
  jobs: "pushbunny-jobs",
  deadLetter: "pushbunny-dlq",
} as const;

const id = z.string().regex(/^[a-z]{3}_[0-9a-z]{1,64}$/);
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
});

export const TrackedEvent = z.object({
  id,
  impressionId: id,
  experimentId: id,
  variantId: id,
  type: z.enum(["opened", "conversion"]),
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
export const JobsQueueMessage = z.discriminatedUnion("kind", [GenerateJob]);
export type JobsQueueMessage = z.infer<typeof JobsQueueMessage>;

/** Backoff for a retried message: 2, 4, 8 … seconds, capped at five minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(2 ** Math.max(1, attempts), 300);
}
