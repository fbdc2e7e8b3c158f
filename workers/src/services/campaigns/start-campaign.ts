import {
  findEmailCampaign,
  materializeRecipients,
  pendingBatches,
  refreshCampaignCounts,
  updateEmailCampaignRow,
} from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { CampaignBatchJob, CampaignStartJob } from "../../queue/messages";
import { audienceWhere, dueAtExpression } from "./lib/schedule";
import { notifyCampaignLive } from "./live";

// Queues delay a message by at most 12 hours; a later start is reached in hops.
const MAX_DELAY_SECONDS = 12 * 3600;

/** Seconds until `dueAt`, at most one queue hop (12 hours). */
export const batchDelaySeconds = (dueAt: number, now: number) =>
  Math.min(Math.max(0, Math.ceil((dueAt - now) / 1000)), MAX_DELAY_SECONDS);

/** Queues the start job for a scheduled campaign, delayed until its send_at (or the longest hop). */
export async function queueCampaignStart(
  ctx: AppContext,
  input: { projectId: string; campaignId: string; sendAt: number },
): Promise<void> {
  const body: CampaignStartJob = {
    kind: "campaign_start",
    projectId: input.projectId,
    campaignId: input.campaignId,
  };
  const delaySeconds = Math.min(Math.max(0, Math.ceil((input.sendAt - ctx.now()) / 1000)), MAX_DELAY_SECONDS);
  await ctx.queues.jobs.send(body, delaySeconds > 0 ? { delaySeconds } : undefined);
}

/**
 * The campaign_start job: when the campaign is due, moves it to sending, writes one queued row per
 * recipient (once: a resumed or redelivered start adds nobody) and queues a batch job for every
 * batch that still has queued rows. Paused or cancelled campaigns are left alone.
 */
export async function startCampaign({
  ctx,
  input,
}: {
  ctx: AppContext;
  input: CampaignStartJob;
}): Promise<void> {
  const campaign = await findEmailCampaign(ctx.db, input.projectId, input.campaignId);
  if (!campaign) return;
  const now = ctx.now();
  if (campaign.status === "scheduled") {
    if ((campaign.sendAt ?? 0) > now) {
      await queueCampaignStart(ctx, { ...input, sendAt: campaign.sendAt ?? now });
      return;
    }
    const moved = await updateEmailCampaignRow(ctx.db, input.projectId, input.campaignId, ["scheduled"], {
      status: "sending",
      startedAt: campaign.startedAt ?? now,
      updatedAt: now,
    });
    if (!moved) return;
  } else if (campaign.status !== "sending") {
    return;
  }
  if (campaign.recipients === 0 && campaign.startedAt === null) {
    const where = await audienceWhere(ctx, campaign);
    await materializeRecipients(ctx.db, {
      projectId: input.projectId,
      campaignId: campaign.id,
      where,
      now,
      dueAt: await dueAtExpression(ctx, campaign, where),
    });
  }
  const batches = await pendingBatches(ctx.db, campaign.id);
  // A batch of a later zone waits in the queue until its instant (in hops of at most 12 hours).
  const jobs = batches.map(({ batch, dueAt }): { body: CampaignBatchJob; delaySeconds?: number } => {
    const body: CampaignBatchJob = {
      kind: "campaign_batch",
      projectId: input.projectId,
      campaignId: campaign.id,
      batch,
      ...(dueAt !== null && dueAt > now ? { dueAt } : {}),
    };
    const delaySeconds = dueAt === null ? 0 : batchDelaySeconds(dueAt, now);
    return delaySeconds > 0 ? { body, delaySeconds } : { body };
  });
  for (let i = 0; i < jobs.length; i += 100) await ctx.queues.jobs.sendBatch(jobs.slice(i, i + 100));
  await refreshCampaignCounts(ctx.db, campaign.id, now);
  notifyCampaignLive(ctx, input.projectId, campaign.id);
}
