import {
  claimBatch,
  completeCampaignIfDone,
  contactsByIds,
  findEmailCampaign,
  type SettledMessage,
  settleBatch,
  variantTexts,
} from "@pushbunny/db";
import type { OutgoingEmail } from "@pushbunny/email";
import type { AppContext } from "../../context";
import type { CampaignBatchJob } from "../../queue/messages";
import { emailTransport } from "../email/transport";
import { pickMessage } from "../message/get-message";
import { mustTemplate } from "../templates/lib/template";
import { emitWebhookEvents } from "../webhooks/emit";
import { emailEvent } from "../webhooks/events";
import { contactContext, renderCampaignMessage } from "./lib/render-message";
import { campaignIntent, campaignOwner } from "./lib/subject-experiment";
import { notifyCampaignLive } from "./live";
import { batchDelaySeconds } from "./start-campaign";

/** Retryable provider failures are tried this many times in all, then the messages are failed. */
export const MAX_BATCH_ATTEMPTS = 8;

/**
 * The campaign_batch job: claims the batch's queued rows (suppressed contacts skipped and counted),
 * picks each recipient's subject through the engine (sticky by contact id; the impression goes the
 * way /v1/message's does), renders and tracks, and sends the batch with one idempotency key.
 * Retryable failures (429, 5xx, network) go back to queued and the batch is queued again after
 * the provider's Retry-After; other failures are final.
 */
export async function sendCampaignBatch({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: CampaignBatchJob;
}): Promise<void> {
  const campaign = await findEmailCampaign(ctx.db, input.projectId, input.campaignId);
  // Paused or cancelled: the rows stay queued; a resume queues the batch again.
  if (campaign?.status !== "sending") return;
  // Woken by a 12-hour hop before its zone's instant: wait again.
  if (input.dueAt !== undefined && input.dueAt > ctx.now()) {
    await ctx.queues.jobs.send(input, { delaySeconds: batchDelaySeconds(input.dueAt, ctx.now()) });
    return;
  }
  // Everything that can fail before a send is read before the claim: a claimed batch that
  // threw would be acked by the retry (its claim found nothing) and stranded.
  const [template, owner] = await Promise.all([
    mustTemplate(ctx, input.projectId, campaign.templateId),
    campaignOwner(ctx, input.projectId),
  ]);
  const now = ctx.now();
  const rows = await claimBatch(ctx.db, {
    projectId: input.projectId,
    campaignId: campaign.id,
    batch: input.batch,
    now,
  });
  if (rows.length === 0) {
    await completeCampaignIfDone(ctx.db, campaign.id, now);
    notifyCampaignLive(ctx, input.projectId, campaign.id);
    return;
  }
  const contacts = new Map(
    (
      await contactsByIds(
        ctx.db,
        input.projectId,
        rows.map((r) => r.contactId),
      )
    ).map((c) => [c.id, c]),
  );
  const picks: {
    row: (typeof rows)[number];
    contact: NonNullable<ReturnType<typeof contacts.get>>;
    variantId: string | null;
    trackingToken: string | null;
  }[] = [];
  for (const row of rows) {
    const contact = contacts.get(row.contactId);
    if (!contact) continue;
    let variantId = row.variantId;
    let trackingToken = row.trackingToken;
    // Picked once per row: a retried send keeps its subject (and its one impression).
    if (!variantId) {
      const picked = await pickMessage({
        ctx,
        owner,
        input: {
          intentId: campaignIntent(campaign.id),
          baseExample: template.subject,
          locale: null,
          userId: contact.id,
          context: contactContext(contact),
        },
      });
      if (picked.tracked) {
        variantId = picked.variantId;
        trackingToken = picked.trackingToken;
      }
    }
    picks.push({ row, contact, variantId, trackingToken });
  }
  const subjects = await subjectsOf(
    ctx,
    campaign,
    picks.map((p) => p.variantId),
  );
  const prepared = new Map<
    string,
    { variantId: string | null; trackingToken: string | null; links: string[] }
  >();
  const messages: OutgoingEmail[] = [];
  for (const { row, contact, variantId, trackingToken } of picks) {
    const subject = (variantId && subjects.get(variantId)) || template.subject;
    const { email, links } = await renderCampaignMessage(ctx, {
      messageId: row.id,
      campaign: {
        id: campaign.id,
        projectId: input.projectId,
        from: campaign.fromAddress,
        replyTo: campaign.replyTo,
      },
      template,
      subject,
      contact,
      tracking: true,
    });
    prepared.set(row.id, { variantId, trackingToken, links });
    messages.push(email);
  }
  const results = await emailTransport(ctx, input.projectId).send({
    idempotencyKey: `campaign/${campaign.id}/batch/${input.batch}`,
    messages,
  });
  const attempt = input.attempt ?? 1;
  let retryAfterMs: number | undefined;
  const settled: SettledMessage[] = results.map((r) => {
    const p = prepared.get(r.id);
    const base = {
      id: r.id,
      variantId: p?.variantId ?? null,
      trackingToken: p?.trackingToken ?? null,
      links: p?.links ?? [],
      providerMessageId: null,
      sentAt: null,
    };
    if (r.status === "accepted") {
      return {
        ...base,
        status: "sent" as const,
        providerMessageId: r.providerMessageId,
        sentAt: ctx.now(),
        error: null,
        updatedAt: ctx.now(),
      };
    }
    if (r.retryable && attempt < MAX_BATCH_ATTEMPTS) {
      retryAfterMs = Math.max(retryAfterMs ?? 0, r.retryAfterMs ?? 0);
      // updated_at 0 releases the claim for the retry.
      return {
        ...base,
        status: "queued" as const,
        error: `${r.code}: ${r.message}`.slice(0, 500),
        updatedAt: 0,
      };
    }
    return {
      ...base,
      status: "failed" as const,
      error: `${r.code}: ${r.message}`.slice(0, 500),
      updatedAt: ctx.now(),
    };
  });
  for (const r of rows) {
    if (prepared.has(r.id)) continue;
    settled.push({
      id: r.id,
      status: "failed",
      variantId: null,
      trackingToken: null,
      links: null,
      providerMessageId: null,
      sentAt: null,
      error: "contact deleted",
      updatedAt: now,
    });
  }
  await settleBatch(ctx.db, { campaignId: campaign.id, now: ctx.now(), messages: settled });
  // One call per batch, off the send's path: with no endpoint listening it is one indexed read.
  const byId = new Map(rows.map((r) => [r.id, r]));
  ctx.waitUntil(
    emitWebhookEvents(
      ctx,
      input.projectId,
      settled.flatMap((m) => {
        const row = byId.get(m.id);
        if (m.status !== "sent" || !row) return [];
        return [
          emailEvent(
            "email.sent",
            { ...row, providerMessageId: m.providerMessageId, variantId: m.variantId },
            m.sentAt ?? now,
          ),
        ];
      }),
    ),
  );
  if (retryAfterMs !== undefined) {
    const delaySeconds = Math.min(Math.max(1, Math.ceil(retryAfterMs / 1000), 2 ** attempt), 300);
    const next: CampaignBatchJob = { ...input, attempt: attempt + 1 };
    await ctx.queues.jobs.send(next, { delaySeconds });
  }
  notifyCampaignLive(ctx, input.projectId, campaign.id);
}

/**
 * Each picked variant's subject: the campaign's own lines first; an arm the experiment gained
 * later (an iteration's challenger, a variant added by hand) is sent with its own text, so what
 * the stats count under a variant is what the recipient read.
 */
async function subjectsOf(
  ctx: AppContext,
  campaign: {
    projectId: string;
    experimentId: string | null;
    arms: { variantId: string; subject: string }[] | null;
  },
  variantIds: readonly (string | null)[],
): Promise<Map<string, string>> {
  const subjects = new Map((campaign.arms ?? []).map((a) => [a.variantId, a.subject]));
  const missing = [...new Set(variantIds.filter((id): id is string => id !== null && !subjects.has(id)))];
  if (missing.length === 0 || !campaign.experimentId) return subjects;
  for (const [id, text] of await variantTexts(ctx.db, campaign.projectId, campaign.experimentId, missing)) {
    subjects.set(id, asMustache(text));
  }
  return subjects;
}

/**
 * The engine's `{{key|fallback}}` (which generated copy may use) in Mustache's terms: the value
 * when the contact has one, else the fallback. Plain `{{key}}` is the same in both.
 */
export function asMustache(text: string): string {
  return text.replace(
    /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\|([^{}|]{0,64})\}\}/g,
    (_, key: string, fallback: string) =>
      `{{#${key}}}{{${key}}}{{/${key}}}{{^${key}}}${fallback.trim()}{{/${key}}}`,
  );
}
