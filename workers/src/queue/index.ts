import { isId } from "@pushbunny/core";
import { recordDeadLetter, type TouchedExperiments } from "@pushbunny/db";
import type { AppContext } from "../context";
import type { Env } from "../env";
import { buildContext } from "../infra/build-context";
import { describeError } from "../logger";
import { runSync } from "../services/ads/run-sync";
import { sendCampaignBatch } from "../services/campaigns/send-campaign-batch";
import { startCampaign } from "../services/campaigns/start-campaign";
import { processContactImport } from "../services/contacts/process-import";
import { recordTrackingMessages } from "../services/events/record-tracking";
import { generateChallengers } from "../services/experiments/generate-challengers";
import { refreshPosteriors } from "../services/experiments/refresh-posteriors";
import { dispatchNotification, sendPushBatch } from "../services/notifications";
import { runImplementationJob } from "../services/web-experiments/run-implementation";
import { failDeadLetteredRun } from "../services/web-experiments/sweep-runs";
import { deliverWebhooks } from "../services/webhooks/deliver-webhooks";
import {
  type EventsQueueMessage,
  JobsQueueMessage,
  parseEventsQueueMessage,
  QUEUES,
  retryDelaySeconds,
} from "./messages";

/** Attempts a jobs message gets before its experiment is marked failed (matches max_retries + 1). */
export const MAX_JOB_ATTEMPTS = 6;

/** Queue entry: dispatch on the queue the batch came from. */
export async function handleQueue(
  batch: MessageBatch<unknown>,
  env: Env,
  ectx: ExecutionContext,
): Promise<void> {
  const ctx = buildContext(env, (p) => ectx.waitUntil(p), { queue: batch.queue });
  if (batch.queue === QUEUES.events) return consumeEvents(ctx, batch);
  if (batch.queue === QUEUES.jobs) return consumeJobs(ctx, batch);
  if (batch.queue === QUEUES.deadLetter) return consumeDeadLetters(ctx, batch);
  ctx.logger.error("message from unknown queue, retrying", { count: batch.messages.length });
  batch.retryAll({ delaySeconds: 60 });
}

/** Parks a message that can never be processed in D1 and acks it; retries if D1 is down. */
async function park(ctx: AppContext, queue: string, msg: Message<unknown>, reason: string): Promise<void> {
  const body = safeStringify(msg.body);
  try {
    await recordDeadLetter(ctx.db, {
      id: `dlq_${msg.id}`.replace(/[^0-9a-z_]/gi, "").slice(0, 64),
      projectId: projectOf(msg.body),
      queue,
      body,
      reason,
      attempts: msg.attempts,
      now: ctx.now(),
    });
    ctx.logger.error("dead letter", { queue, messageId: msg.id, reason, attempts: msg.attempts });
    msg.ack();
  } catch (err) {
    ctx.logger.error("dead letter write failed", { queue, messageId: msg.id, ...describeError(err) });
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}

async function consumeEvents(ctx: AppContext, batch: MessageBatch<unknown>): Promise<void> {
  const valid: { msg: Message<unknown>; body: EventsQueueMessage }[] = [];
  for (const msg of batch.messages) {
    // The shared schema, with a hand-written fast path for plainly valid bodies (messages.ts).
    const parsed = parseEventsQueueMessage(msg.body);
    if (parsed.success) valid.push({ msg, body: parsed.data });
    else await park(ctx, batch.queue, msg, `invalid message: ${parsed.reason}`);
  }
  if (valid.length === 0) return;
  try {
    const written = await recordTrackingMessages({ ctx, input: valid.map((v) => v.body) });
    for (const v of valid) v.msg.ack();
    ctx.logger.debug("tracking batch written", {
      messages: valid.length,
      impressions: written.impressions,
      events: written.events,
    });
    await refreshAfterWrite(ctx, written.touched);
    return;
  } catch (err) {
    ctx.logger.warn("tracking batch failed, isolating messages", {
      messages: valid.length,
      ...describeError(err),
    });
  }
  // One poison message must not hold back the rest: retry each on its own.
  for (const v of valid) {
    try {
      await recordTrackingMessages({ ctx, input: [v.body] });
      v.msg.ack();
    } catch (err) {
      ctx.logger.error("tracking message failed", {
        messageId: v.msg.id,
        attempts: v.msg.attempts,
        ...describeError(err),
      });
      v.msg.retry({ delaySeconds: retryDelaySeconds(v.msg.attempts) });
    }
  }
}

/** The counts are safe in D1 already: a failed refresh is left to the every-minute sweep. */
async function refreshAfterWrite(ctx: AppContext, touched: TouchedExperiments[]): Promise<void> {
  try {
    await refreshPosteriors({ ctx, input: touched });
  } catch (err) {
    ctx.logger.warn("posterior refresh failed, the sweep will retry", describeError(err));
  }
}

// Jobs are independent (each acks or retries itself), so a batch runs side by side: one push
// batch's fetches overlap another's encryption and D1 writes.
async function consumeJobs(ctx: AppContext, batch: MessageBatch<unknown>): Promise<void> {
  await Promise.all(batch.messages.map((msg) => consumeJob(ctx, batch.queue, msg)));
}

async function consumeJob(ctx: AppContext, queue: string, msg: Message<unknown>): Promise<void> {
  const parsed = JobsQueueMessage.safeParse(msg.body);
  if (!parsed.success) {
    await park(ctx, queue, msg, `invalid job: ${parsed.error.issues[0]?.message ?? "unknown"}`);
    return;
  }
  try {
    const job = parsed.data;
    switch (job.kind) {
      case "push_dispatch":
        await dispatchNotification({ ctx, input: job });
        msg.ack();
        return;
      case "push":
        // Push failures are recorded per delivery and retried by a new message; only D1
        // trouble throws here and is retried by the queue.
        await sendPushBatch({ ctx, input: job });
        msg.ack();
        return;
      case "contact_import":
        // A file that cannot be read fails the import (recorded on it); only D1 or R2 trouble
        // throws here and is retried by the queue. Chunks are guarded, so a retry never double counts.
        await processContactImport({ ctx, input: job });
        msg.ack();
        return;
      case "campaign_start":
        // Not yet due: the verb queues itself again; D1 trouble throws and is retried.
        await startCampaign({ ctx, input: job });
        msg.ack();
        return;
      case "campaign_batch":
        // Provider failures are recorded per message and retried by a new message with a delay;
        // only D1 trouble throws here and is retried by the queue.
        await sendCampaignBatch({ ctx, input: job });
        msg.ack();
        return;
      case "webhook_deliver":
        // Receiver failures are recorded per delivery and retried by a new delayed message;
        // only D1 trouble throws here and is retried by the queue (claims make that safe).
        await deliverWebhooks({ ctx, input: job });
        msg.ack();
        return;
      case "adsync":
        // Channel failures are recorded in the run and retried by a new run; only D1 trouble
        // throws here and is retried by the queue.
        await runSync({ ctx, input: job });
        msg.ack();
        return;
      case "web_implement": {
        // GitHub and LLM failures are recorded on the run; retryable ones come back here with a
        // delay (the run counts its attempts). D1 trouble throws and is retried by the queue.
        const outcome = await runImplementationJob({ ctx, input: job });
        if (outcome.kind === "retry") msg.retry({ delaySeconds: outcome.delaySeconds });
        else msg.ack();
        return;
      }
      case "generate": {
        const outcome = await generateChallengers({
          ctx,
          input: { ...job, attempt: msg.attempts, maxAttempts: MAX_JOB_ATTEMPTS },
        });
        if (outcome.kind === "retry") {
          msg.retry({ delaySeconds: outcome.delaySeconds ?? retryDelaySeconds(msg.attempts) });
        } else {
          msg.ack();
        }
        return;
      }
    }
  } catch (err) {
    // D1 or KV trouble, not the LLM's or a push service's: try again later.
    ctx.logger.error("job failed", { messageId: msg.id, attempts: msg.attempts, ...describeError(err) });
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}

/** Messages that exhausted their retries land here and are kept in D1 for inspection. */
async function consumeDeadLetters(ctx: AppContext, batch: MessageBatch<unknown>): Promise<void> {
  for (const msg of batch.messages) {
    // An implementation run whose job the queue gave up on fails now, not after the sweep's wait.
    const job = JobsQueueMessage.safeParse(msg.body);
    if (job.success && job.data.kind === "web_implement") {
      try {
        await failDeadLetteredRun({ ctx, input: job.data });
      } catch (err) {
        ctx.logger.warn("dead-lettered run not failed, the sweep will", describeError(err));
      }
    }
    await park(ctx, batch.queue, msg, "retries exhausted");
  }
}

function projectOf(body: unknown): string | null {
  if (typeof body === "object" && body !== null && "projectId" in body) {
    const p = (body as { projectId: unknown }).projectId;
    if (typeof p === "string" && isId(p, "prj")) return p;
  }
  return null;
}

function safeStringify(body: unknown): string {
  try {
    return JSON.stringify(body) ?? String(body);
  } catch {
    return String(body);
  }
}
