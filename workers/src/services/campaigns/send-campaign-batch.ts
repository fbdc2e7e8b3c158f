import {
  claimBatch,
  contactsByIds,
  findEmailCampaign,
  refreshCampaignCounts,
  settleMessages,
} from "@pushbunny/db";
import type { OutgoingEmail } from "@pushbunny/email";
import type { AppContext } from "../../context";
import type { CampaignBatchJob } from "../../queue/messages";
import { emailTransport } from "../email/transport";
import { pickMessage } from "../message/get-message";
import { mustTemplate } from "../templates/lib/template";
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
  const template = await mustTemplate(ctx, input.projectId, campaign.templateId);
  const owner = await campaignOwner(ctx, input.projectId);
  const now = ctx.now();
  const rows = await claimBatch(ctx.db, {
    projectId: input.projectId,
    campaignId: campaign.id,
    batch: input.batch,
    now,
  });
  if (rows.length === 0) {
    await refreshCampaignCounts(ctx.db, campaign.id, now);
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
  const subjects = new Map((campaign.arms ?? []).map((a) => [a.variantId, a.subject]));
  const prepared = new Map<
    string,
    { variantId: string | null; trackingToken: string | null; links: string[] }
  >();
  const messages: OutgoingEmail[] = [];
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
  const updates: Parameters<typeof settleMessages>[1] = results.map((r) => {
    const p = prepared.get(r.id);
    const base = {
      variantId: p?.variantId ?? null,
      trackingToken: p?.trackingToken ?? null,
      links: p?.links ?? [],
    };
    if (r.status === "accepted") {
      return {
        id: r.id,
        set: {
          ...base,
          status: "sent" as const,
          providerMessageId: r.providerMessageId,
          sentAt: ctx.now(),
          error: null,
          updatedAt: ctx.now(),
        },
      };
    }
    if (r.retryable && attempt < MAX_BATCH_ATTEMPTS) {
      retryAfterMs = Math.max(retryAfterMs ?? 0, r.retryAfterMs ?? 0);
      // updated_at 0 releases the claim for the retry.
      return {
        id: r.id,
        set: {
          ...base,
          status: "queued" as const,
          error: `${r.code}: ${r.message}`.slice(0, 500),
          updatedAt: 0,
        },
      };
    }
    return {
      id: r.id,
      set: {
        ...base,
        status: "failed" as const,
        error: `${r.code}: ${r.message}`.slice(0, 500),
        updatedAt: ctx.now(),
      },
    };
  });
  const missing = rows.filter((r) => !prepared.has(r.id));
  for (const r of missing)
    updates.push({ id: r.id, set: { status: "failed", error: "contact deleted", updatedAt: now } });
  await settleMessages(ctx.db, updates);
  if (retryAfterMs !== undefined) {
    const delaySeconds = Math.min(Math.max(1, Math.ceil(retryAfterMs / 1000), 2 ** attempt), 300);
    const next: CampaignBatchJob = { ...input, attempt: attempt + 1 };
    await ctx.queues.jobs.send(next, { delaySeconds });
  }
  await refreshCampaignCounts(ctx.db, campaign.id, ctx.now());
  notifyCampaignLive(ctx, input.projectId, campaign.id);
}
