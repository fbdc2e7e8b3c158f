import { updateEmailCampaignRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ConflictError } from "../../errors";
import {
  assertTransition,
  type Campaign,
  type CampaignAction,
  mustCampaign,
  TRANSITIONS,
  toCampaign,
} from "./lib/campaign";
import { ensureSubjectExperiment } from "./lib/subject-experiment";
import { queueCampaignStart } from "./start-campaign";

// A schedule further out than this is almost surely a unit mistake (seconds for ms, a wrong year).
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;

/**
 * Moves a campaign through schedule, pause, resume and cancel; an action that cannot start from
 * the current status is a 409. Scheduling creates the subject experiment (once).
 */
export async function setCampaignStatus({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { campaignId: string; action: CampaignAction; sendAt?: number };
}): Promise<Campaign> {
  const current = await mustCampaign(ctx, projectId, input.campaignId);
  const { action } = input;
  assertTransition(action, current.status);
  const now = ctx.now();
  let set: Parameters<typeof updateEmailCampaignRow>[4] = { status: TRANSITIONS[action].to, updatedAt: now };
  if (action === "schedule" || action === "send") {
    const sendAt = action === "send" ? now : input.sendAt;
    if (sendAt === undefined || !Number.isSafeInteger(sendAt)) {
      throw new BadRequestError("send_at: required", [{ path: "send_at", message: "required" }]);
    }
    if (sendAt > now + MAX_SCHEDULE_AHEAD_MS) {
      throw new BadRequestError("send_at: at most a year ahead", [
        { path: "send_at", message: "at most a year ahead" },
      ]);
    }
    // A time in the past means "now": the next due check starts it.
    const experiment = current.experimentId
      ? { experimentId: current.experimentId, arms: current.arms ?? [] }
      : await ensureSubjectExperiment(ctx, current, actor);
    set = {
      ...set,
      sendAt: Math.max(sendAt, now),
      experimentId: experiment.experimentId,
      arms: experiment.arms,
    };
  }
  const row = await updateEmailCampaignRow(
    ctx.db,
    projectId,
    input.campaignId,
    TRANSITIONS[action].from,
    set,
  );
  if (!row) throw new ConflictError("the campaign changed status meanwhile; read it and try again");
  if (row.status === "scheduled") {
    await queueCampaignStart(ctx, { projectId, campaignId: row.id, sendAt: row.sendAt ?? now });
  }
  return toCampaign(row);
}
