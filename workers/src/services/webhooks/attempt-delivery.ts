import {
  claimWebhookDelivery,
  disableWebhookEndpoint,
  failPendingWebhookDeliveries,
  findWebhookEndpoint,
  finishWebhookDelivery,
} from "@pushbunny/db";
import { signWebhook } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { describeError } from "../../logger";
import { recordAudit } from "../audit/record-audit";
import { destinationProblems } from "./lib/destination";
import { DEFAULT_TIMEOUT_MS, postWebhook } from "./lib/post";
import { signingSecrets } from "./lib/secrets";

/**
 * Waits after the first, second … failed attempt (Standard Webhooks' schedule): 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h, about 28 hours in all; after the 8th failure the endpoint is
 * disabled. Every wait fits a queue message's 12-hour delay.
 */
export const RETRY_DELAYS_MS = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
] as const;
/** Attempts before a delivery fails for good: the first and one per retry. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A claim outlives the longest send (10 s answer + signing + D1) with a wide margin. */
const LEASE_MS = 60_000;

export interface AttemptOutcome {
  deliveryId: string;
  /** `skipped`: not due, or another sender holds it; nothing was sent. */
  status: "succeeded" | "pending" | "failed" | "skipped";
  attempt: number;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  durationMs: number;
  nextAttemptAt: number | null;
}

function timeoutMs(ctx: AppContext): number {
  const raw = Number(ctx.env.WEBHOOK_TIMEOUT_MS);
  return Number.isFinite(raw) && raw >= 100 ? Math.min(raw, DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
}

/**
 * Sends one delivery if it is due: claims it (so no other worker sends it at the same time),
 * signs the stored payload with the endpoint's secrets, POSTs it, and records the outcome with
 * the next try, or gives up after the schedule and disables the endpoint (audited). Test events
 * get one attempt, never retried, and never disable anything (someone is watching the answer).
 */
export async function attemptDelivery({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { deliveryId: string };
}): Promise<AttemptOutcome> {
  const now = ctx.now();
  const skipped: AttemptOutcome = {
    deliveryId: input.deliveryId,
    status: "skipped",
    attempt: 0,
    statusCode: null,
    error: null,
    response: null,
    durationMs: 0,
    nextAttemptAt: null,
  };
  const claimed = await claimWebhookDelivery(ctx.db, {
    projectId,
    id: input.deliveryId,
    now,
    leaseMs: LEASE_MS,
  });
  if (!claimed) return skipped;
  const attempt = claimed.attempts;
  const isTest = claimed.eventType === "webhook.test";
  const endpoint = await findWebhookEndpoint(ctx.db, projectId, claimed.endpointId);

  let outcome: {
    ok: boolean;
    statusCode: number | null;
    error: string | null;
    response: string | null;
    durationMs: number;
  };
  let final = false;
  if (!endpoint) {
    outcome = { ok: false, statusCode: null, error: "endpoint deleted", response: null, durationMs: 0 };
    final = true;
  } else if (!endpoint.enabled && !isTest) {
    outcome = {
      ok: false,
      statusCode: null,
      error: `endpoint disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ""}`,
      response: null,
      durationMs: 0,
    };
    final = true;
  } else {
    // Checked again at send time: the rules may be stricter here than where the URL was saved.
    const problems = destinationProblems(endpoint.url, { allowLoopback: ctx.config.push.allowLoopback });
    if (problems.length > 0) {
      outcome = { ok: false, statusCode: null, error: problems.join("; "), response: null, durationMs: 0 };
    } else {
      try {
        const headers = await signWebhook({
          id: claimed.id,
          timestamp: Math.floor(now / 1000),
          payload: claimed.payload,
          secret: await signingSecrets(ctx, endpoint),
        });
        outcome = await postWebhook({
          url: endpoint.url,
          headers: { ...headers, "content-type": "application/json", "user-agent": "PushBunny-Webhooks/1.0" },
          body: claimed.payload,
          timeoutMs: timeoutMs(ctx),
        });
      } catch (err) {
        // A secret that does not unseal (CREDENTIALS_KEY changed or unset): record it as this
        // attempt's failure, so the schedule runs its course instead of a claim lapsing forever.
        ctx.logger.error("webhook delivery could not be signed", {
          deliveryId: claimed.id,
          ...describeError(err),
        });
        outcome = {
          ok: false,
          statusCode: null,
          error: "could not sign the delivery",
          response: null,
          durationMs: 0,
        };
      }
    }
  }

  const finishedAt = ctx.now();
  const delay = RETRY_DELAYS_MS[attempt - 1];
  const retry = !outcome.ok && !final && !isTest && delay !== undefined;
  const status = outcome.ok ? "succeeded" : retry ? "pending" : "failed";
  const nextAttemptAt = retry ? finishedAt + delay : null;
  const recorded = await finishWebhookDelivery(ctx.db, {
    id: claimed.id,
    attempt,
    status,
    nextAttemptAt,
    statusCode: outcome.statusCode,
    error: outcome.error,
    response: outcome.response,
    now: finishedAt,
  });
  if (!recorded) {
    // The lease lapsed and another sender took the row over: its outcome is the one kept.
    ctx.logger.warn("webhook delivery outcome dropped, lease lapsed", { deliveryId: claimed.id, attempt });
  }
  // Only the automatic schedule running out disables: a manual retry of a failed delivery does not.
  if (recorded && status === "failed" && endpoint?.enabled && !isTest && attempt === MAX_ATTEMPTS) {
    await disableAfterFailures(ctx, projectId, endpoint.id, outcome.error ?? "failed");
  }
  return {
    deliveryId: claimed.id,
    status,
    attempt,
    statusCode: outcome.statusCode,
    error: outcome.error,
    response: outcome.response,
    durationMs: outcome.durationMs,
    nextAttemptAt,
  };
}

async function disableAfterFailures(
  ctx: AppContext,
  projectId: string,
  endpointId: string,
  lastError: string,
): Promise<void> {
  const now = ctx.now();
  const reason = `${MAX_ATTEMPTS} attempts over about a day failed (last: ${lastError})`.slice(0, 500);
  try {
    if (!(await disableWebhookEndpoint(ctx.db, { projectId, id: endpointId, reason, now }))) return;
    await failPendingWebhookDeliveries(ctx.db, { projectId, endpointId, error: "endpoint disabled", now });
    await recordAudit({
      ctx,
      projectId,
      actor: "webhooks",
      input: { action: "webhook.disabled", targetType: "webhook", targetId: endpointId, details: { reason } },
    });
    ctx.logger.warn("webhook endpoint disabled", { projectId, endpointId, reason });
  } catch (err) {
    ctx.logger.error("webhook endpoint disable failed", { projectId, endpointId, ...describeError(err) });
  }
}
