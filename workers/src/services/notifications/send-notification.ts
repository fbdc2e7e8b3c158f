import { newId } from "@pushbunny/core";
import {
  countTargets,
  insertNotification,
  type NotificationRow,
  type NotificationTarget,
} from "@pushbunny/db";
import { MAX_PAYLOAD_BYTES } from "@pushbunny/webpush";
import type { AppContext } from "../../context";
import { BadRequestError, PayloadTooLargeError } from "../../errors";
import { type Notification, toNotification } from "../../push/notifications";
import { type NotificationContent, worstCaseBytes } from "../../push/payload";
import type { PushDispatchJob } from "../../queue/messages";
import { dispatchNotification } from "./dispatch-notification";

const DISPATCH_SAFETY_DELAY_S = 60;
/** A scheduled_at up to this far in the past is clock skew: sent now without being asked. */
export const SCHEDULE_SKEW_MS = 60_000;

export interface SendInput {
  type: "send" | "broadcast";
  target: NotificationTarget;
  content: NotificationContent;
  ttl: number;
  urgency?: "very-low" | "low" | "normal" | "high";
  topic?: string;
  /** Unix ms. In the future: scheduled. Past by more than SCHEDULE_SKEW_MS: refused unless sendNowIfPast. */
  scheduledAt?: number;
  sendNowIfPast?: boolean;
}

/**
 * Records the notification and hands it to the jobs queue now, or at `scheduledAt` (the
 * every-minute cron). A payload that can never fit a push message (4,096 bytes encrypted) is a
 * 413 here, before anything is queued; a time already past is a 400 unless the caller opts in.
 */
export async function sendNotification({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: SendInput;
}): Promise<{ notification: Notification; estimatedRecipients: number }> {
  const c = input.content;
  if (c.intent_id !== undefined && c.base_example === undefined) {
    throw new BadRequestError("base_example is required with intent_id", [
      { path: "payload.base_example", message: "required" },
    ]);
  }
  if (c.intent_id === undefined && !c.title && !c.body) {
    throw new BadRequestError("payload needs a title or a body (or intent_id and base_example)", [
      { path: "payload", message: "empty notification" },
    ]);
  }
  const bytes = worstCaseBytes(c);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(
      `the payload takes up to ${bytes} bytes with its tracking fields; a push message carries at most ${MAX_PAYLOAD_BYTES}`,
    );
  }
  const now = ctx.now();
  if (input.scheduledAt !== undefined && input.scheduledAt < now - SCHEDULE_SKEW_MS && !input.sendNowIfPast) {
    throw new BadRequestError(
      `scheduled_at ${new Date(input.scheduledAt).toISOString()} is in the past: send a future time, omit it to send now, or set options.send_now_if_past: true`,
      [{ path: "options.scheduled_at", message: "in the past" }],
    );
  }
  const scheduled = input.scheduledAt !== undefined && input.scheduledAt > now;
  const row: NotificationRow = {
    id: newId("ntf"),
    projectId,
    type: input.type,
    target: input.target,
    payload: c as Record<string, unknown>,
    ttl: input.ttl,
    urgency: input.urgency ?? null,
    topic: input.topic ?? null,
    status: scheduled ? "scheduled" : "queued",
    scheduledAt: scheduled ? (input.scheduledAt ?? null) : null,
    dispatchedAt: null,
    recipients: null,
    createdAt: now,
  };
  await insertNotification(ctx.db, row);
  if (!scheduled) {
    // Dispatched right after the response; the delayed job is the safety net if this isolate
    // dies first (the queued → dispatched claim lets only one of them run it).
    const job: PushDispatchJob = { kind: "push_dispatch", projectId, notificationId: row.id };
    await ctx.queues.jobs.send(job, { delaySeconds: DISPATCH_SAFETY_DELAY_S });
    ctx.waitUntil(
      dispatchNotification({ ctx, input: { projectId, notificationId: row.id } }).catch((err) =>
        ctx.logger.warn("immediate dispatch failed; the queued job will retry", {
          notificationId: row.id,
          error: String(err),
        }),
      ),
    );
  }
  return {
    notification: toNotification(row),
    estimatedRecipients: await countTargets(ctx.db, projectId, input.target),
  };
}
