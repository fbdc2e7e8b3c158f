import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type CampaignStatus, emailCampaigns, emailMessages } from "../schema";

/** What a live counter shows: every recipient row of a campaign, by where it got to. */
export interface CampaignLiveCounts {
  recipients: number;
  queued: number;
  /** Accepted by the provider: every row past queued but failed and skipped. */
  sent: number;
  delivered: number;
  /** Human opens (machine opens are not counted, as in the stats). */
  opened: number;
  clicked: number;
  bounced: number;
  complained: number;
  failed: number;
  skipped: number;
}

/**
 * A campaign's status and live counts in one statement, read from the rows (the source of
 * truth): a counter that missed an update, or was evicted, is right again at its next read.
 * Null when the campaign is not the project's.
 */
export async function campaignLiveCounts(
  db: Db,
  projectId: string,
  campaignId: string,
): Promise<{ status: CampaignStatus; counts: CampaignLiveCounts } | null> {
  const [campaign] = await db
    .select({ status: emailCampaigns.status })
    .from(emailCampaigns)
    .where(and(eq(emailCampaigns.projectId, projectId), eq(emailCampaigns.id, campaignId)))
    .limit(1);
  if (!campaign) return null;
  const n = (condition: SQL) => sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;
  const [row] = await db
    .select({
      recipients: sql<number>`count(*)`,
      queued: n(sql`${emailMessages.status} = 'queued'`),
      sent: n(sql`${emailMessages.status} not in ('queued', 'failed', 'skipped')`),
      delivered: n(sql`${emailMessages.status} in ('delivered', 'opened', 'clicked', 'complained')`),
      opened: n(sql`${emailMessages.openedAt} is not null`),
      clicked: n(sql`${emailMessages.clickedAt} is not null`),
      bounced: n(sql`${emailMessages.status} = 'bounced'`),
      complained: n(sql`${emailMessages.status} = 'complained'`),
      failed: n(sql`${emailMessages.status} = 'failed'`),
      skipped: n(sql`${emailMessages.status} = 'skipped'`),
    })
    .from(emailMessages)
    .where(eq(emailMessages.campaignId, campaignId));
  const zero: CampaignLiveCounts = {
    recipients: 0,
    queued: 0,
    sent: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    bounced: 0,
    complained: 0,
    failed: 0,
    skipped: 0,
  };
  return {
    status: campaign.status,
    counts: row
      ? (Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, Number(v)]),
        ) as unknown as CampaignLiveCounts)
      : zero,
  };
}
