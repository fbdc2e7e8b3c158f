import type { AppContext } from "../../context";
import { AppError, RateLimitedError } from "../../errors";
import { mustCampaign } from "./lib/campaign";

/** 426: the live counters speak WebSocket only. Code BAD_REQUEST, as the client must change the request. */
export class UpgradeRequiredError extends AppError {
  constructor() {
    super(
      "BAD_REQUEST",
      "this address serves a WebSocket: send `Upgrade: websocket` (e.g. websocat, or new WebSocket(url) in a browser)",
      [],
      { Upgrade: "websocket" },
    );
  }

  override get status() {
    return 426 as const;
  }
}

const liveStub = (ctx: AppContext, campaignId: string) =>
  ctx.env.CAMPAIGN_LIVE.get(ctx.env.CAMPAIGN_LIVE.idFromName(campaignId));

/**
 * Opens the live counters of a campaign: the 101 response of its CampaignLive object, which
 * sends a `counts` frame at once, then one on each change (at most 4 a second), and closes
 * with 1000 after the last frame of a sent or cancelled campaign (1011 when it was deleted).
 * Another project's (or an unknown) campaign is a NotFoundError (404); a request without
 * `Upgrade: websocket` an UpgradeRequiredError (426); more than LIVE_MAX_SOCKETS watchers of one
 * campaign a RateLimitedError (429). The caller authenticates (bearer on the API, the session on the
 * dashboard) and hands over the project it is allowed to read.
 */
export async function openCampaignLive(
  ctx: AppContext,
  projectId: string,
  campaignId: string,
  request: Request,
): Promise<Response> {
  await mustCampaign(ctx, projectId, campaignId);
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") throw new UpgradeRequiredError();
  const headers = new Headers(request.headers);
  headers.set("x-pushbunny-project", projectId);
  headers.set("x-pushbunny-campaign", campaignId);
  const res = await liveStub(ctx, campaignId).fetch(new Request(request.url, { method: "GET", headers }));
  if (res.status === 429) {
    const body = (await res.json()) as { error?: { message?: string } };
    throw new RateLimitedError(
      body.error?.message ?? "too many live connections",
      Number(res.headers.get("retry-after")) || 5,
    );
  }
  return res;
}

/**
 * Tells the campaign's live counter its rows changed, off the critical path: never awaited by
 * the send, and a failure is logged, never thrown (the counter re-reads D1 next time anyway).
 */
export function notifyCampaignLive(ctx: AppContext, projectId: string, campaignId: string): void {
  ctx.waitUntil(
    liveStub(ctx, campaignId)
      .changed({ projectId, campaignId })
      .catch((error: unknown) =>
        ctx.logger.warn("live counter not told", { campaignId, error: String(error) }),
      ),
  );
}
