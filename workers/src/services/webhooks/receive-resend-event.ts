import {
  advanceEmailMessageStatus,
  claimProviderEvent,
  findEmailMessageByProviderId,
  releaseProviderEvent,
  suppressAddress,
} from "@pushbunny/db";
import { verifyWebhook } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError, NotFoundError, UnauthorizedError } from "../../errors";
import { emitWebhookEvents } from "./emit";
import { emailEvent } from "./events";

/** What a Resend webhook did: applied, a replay of one already applied, or nothing to do. */
export type ResendEventOutcome =
  | { outcome: "applied"; messageId: string; statusChanged: boolean; suppressed: boolean }
  | { outcome: "duplicate"; messageId: string }
  | { outcome: "ignored"; reason: string };

const APPLIED_TYPES = new Set(["email.delivered", "email.bounced", "email.complained"]);
// Resend also reports these; opens and clicks are tracked by our own pixel and redirects (bot
// filtering, the experiment's events), and `sent` is what our own send already recorded.
const KNOWN_IGNORED = new Set([
  "email.sent",
  "email.delivery_delayed",
  "email.opened",
  "email.clicked",
  "email.scheduled",
  "email.failed",
]);

interface ResendPayload {
  type?: unknown;
  created_at?: unknown;
  data?: { email_id?: unknown; bounce?: { type?: unknown; subType?: unknown; message?: unknown } };
}

/**
 * Applies one of Resend's delivery webhooks (Svix-signed). The signature and its timestamp
 * (±5 min) are checked before anything is read; the message is found by Resend's email id and
 * the project comes from that row, never from the payload. Each svix-id is applied once: a
 * replay changes and emits nothing. Delivered, bounced and complained move the message's status
 * forward only; a hard bounce or a complaint suppresses the address. Unknown email ids are
 * acknowledged (so Resend stops retrying) and logged.
 */
export async function receiveResendEvent({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: { payload: string; headers: Headers };
}): Promise<ResendEventOutcome> {
  const secret = ctx.env.RESEND_WEBHOOK_SECRET?.trim();
  if (!secret) {
    throw new NotFoundError(
      "Resend webhooks are not set up here: set RESEND_WEBHOOK_SECRET to the endpoint's signing secret (whsec_…)",
    );
  }
  let verified: Awaited<ReturnType<typeof verifyWebhook>>;
  try {
    verified = await verifyWebhook({
      headers: input.headers,
      payload: input.payload,
      secrets: secret,
      now: Math.floor(ctx.now() / 1000),
    });
  } catch (err) {
    // Only a malformed configured secret throws: the operator's problem, said plainly.
    ctx.logger.error("RESEND_WEBHOOK_SECRET is malformed", {
      error: err instanceof Error ? err.message : String(err),
    });
    throw new NotFoundError(
      "Resend webhooks are not set up here: RESEND_WEBHOOK_SECRET is not a whsec_ secret",
    );
  }
  if (!verified.ok) throw new UnauthorizedError(`webhook signature refused: ${verified.problem}`);

  let body: ResendPayload;
  try {
    body = JSON.parse(input.payload) as ResendPayload;
  } catch {
    throw BadRequestError.fromIssues([{ path: "body", message: "not JSON" }]);
  }
  if (typeof body !== "object" || body === null || typeof body.type !== "string") {
    throw BadRequestError.fromIssues([{ path: "type", message: "must be a string" }]);
  }
  const type = body.type;
  if (!APPLIED_TYPES.has(type)) {
    if (!KNOWN_IGNORED.has(type)) ctx.logger.info("resend webhook of an unknown type", { type });
    return { outcome: "ignored", reason: `${type} is not applied` };
  }
  const emailId = body.data?.email_id;
  if (typeof emailId !== "string" || emailId.length === 0 || emailId.length > 200) {
    throw BadRequestError.fromIssues([{ path: "data.email_id", message: "must be a string" }]);
  }
  const message = await findEmailMessageByProviderId(ctx.db, emailId);
  if (!message) {
    ctx.logger.warn("resend webhook for an unknown email", { type, emailId, svixId: verified.id });
    return { outcome: "ignored", reason: "unknown email_id" };
  }
  if (message.status === "queued") {
    // Its sender has not recorded the send yet; Svix retries non-2xx answers with backoff.
    throw new ConflictError("the message is still being sent: retry later");
  }
  const projectId = message.projectId;
  const now = ctx.now();
  if (!(await claimProviderEvent(ctx.db, { id: verified.id, projectId, messageId: message.id, type, now }))) {
    return { outcome: "duplicate", messageId: message.id };
  }
  try {
    const bounce = body.data?.bounce;
    // Resend: "Permanent" is a hard bounce; "Transient" (mailbox full, greylisting) is soft.
    const hard = type === "email.bounced" && bounce?.type !== "Transient";
    const at =
      typeof body.created_at === "string" && !Number.isNaN(Date.parse(body.created_at))
        ? Date.parse(body.created_at)
        : now;
    let statusChanged = false;
    let suppressed = false;
    let extra: Record<string, unknown> = {};
    if (type === "email.delivered") {
      statusChanged = await advanceEmailMessageStatus(ctx.db, {
        projectId,
        messageId: message.id,
        to: "delivered",
      });
    } else if (type === "email.bounced") {
      const reason = typeof bounce?.message === "string" ? bounce.message.slice(0, 500) : null;
      statusChanged = await advanceEmailMessageStatus(ctx.db, {
        projectId,
        messageId: message.id,
        to: "bounced",
        error: `${hard ? "hard" : "soft"} bounce${reason ? `: ${reason}` : ""}`,
      });
      extra = {
        bounce_type: hard ? "hard" : "soft",
        bounce_subtype: typeof bounce?.subType === "string" ? bounce.subType : null,
        reason,
      };
      if (hard) {
        await suppressAddress(ctx.db, {
          projectId,
          email: message.email,
          reason: "bounced",
          source: "bounce",
          status: "bounced",
          now,
        });
        suppressed = true;
      }
    } else {
      statusChanged = await advanceEmailMessageStatus(ctx.db, {
        projectId,
        messageId: message.id,
        to: "complained",
      });
      await suppressAddress(ctx.db, {
        projectId,
        email: message.email,
        reason: "complained",
        source: "complaint",
        status: "complained",
        now,
      });
      suppressed = true;
    }
    await emitWebhookEvents(ctx, projectId, [
      emailEvent(type as "email.delivered" | "email.bounced" | "email.complained", message, at, extra),
    ]);
    return { outcome: "applied", messageId: message.id, statusChanged, suppressed };
  } catch (err) {
    // Undo the claim so Resend's retry applies it; every step above is safe to repeat.
    await releaseProviderEvent(ctx.db, { id: verified.id, projectId }).catch(() => {});
    throw err;
  }
}
