import { encodeCursor } from "@pushbunny/core";
import { type AdCampaignMetricsRow, type AdChannel, listCampaignMetrics } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { readCursor } from "../../infra/cursor";

/** One campaign on one day, as synced. Money in the account currency. */
export interface CampaignDay {
  channel: AdChannel;
  campaignId: string;
  campaignName: string;
  /** YYYY-MM-DD, the day as the channel reports it. */
  date: string;
  source: "api" | "sandbox";
  cost: number;
  clicks: number;
  impressions: number;
  engagement: number;
  conversions: number;
  conversionValue: number;
  conversionRate: number | null;
  roi: number | null;
  syncedAt: number;
}

export interface ListCampaignsInput {
  channel?: AdChannel;
  campaignId?: string;
  /** Inclusive YYYY-MM-DD bounds. */
  dateFrom?: string;
  dateTo?: string;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

// The sort key of the last row: (date, channel, campaign id), all strings.
const CURSOR_SHAPE = ["string", "string", "string"] as const;

/** Metrics rows, newest day first, then channel and campaign; keyset-paged, 400 for a foreign cursor. */
export async function listCampaigns({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: ListCampaignsInput;
}): Promise<{ campaigns: CampaignDay[]; nextCursor: string | null }> {
  if (input.dateFrom && input.dateTo && input.dateFrom > input.dateTo) {
    throw BadRequestError.fromIssues([{ path: "date_from", message: "after date_to" }]);
  }
  const decoded = readCursor(input.cursor, CURSOR_SHAPE);
  const after = decoded && { date: decoded[0], channel: decoded[1], campaignId: decoded[2] };
  const rows = await listCampaignMetrics(ctx.db, {
    projectId,
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.campaignId ? { campaignId: input.campaignId } : {}),
    ...(input.dateFrom ? { fromDay: input.dateFrom } : {}),
    ...(input.dateTo ? { toDay: input.dateTo } : {}),
    ...(after ? { after } : {}),
    limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    campaigns: page.map(toCampaignDay),
    nextCursor:
      rows.length > input.limit && last ? encodeCursor([last.date, last.channel, last.campaignId]) : null,
  };
}

function toCampaignDay(r: AdCampaignMetricsRow): CampaignDay {
  const { projectId: _, ...day } = r;
  return day;
}
