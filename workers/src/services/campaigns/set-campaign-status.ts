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
import { RECIPIENT, resolveSchedule, type ScheduleInput } from "./lib/schedule";
import { ensureSubjectExperiment } from "./lib/subject-experiment";
import { notifyCampaignLive } from "./live";
import { queueCampaignStart } from "./start-campaign";

// A schedule further out than this is almost surely a unit mistake (seconds for ms, a wrong year).
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;

interface ScheduleFields {
  sendAt: number;
  sendAtLocal: string;
  timeZone: string;
}

/** Exactly one of an instant or a local time (with its zone): queues and crons call verbs too. */
function scheduleInput(input: Partial<ScheduleFields>): ScheduleInput {
  if (input.sendAtLocal !== undefined) {
    if (input.sendAt !== undefined) {
      throw new BadRequestError("send_at: give send_at or send_at_local, not both", [
        { path: "send_at", message: "give send_at or send_at_local, not both" },
      ]);
    }
    if (input.timeZone === undefined) {
      throw new BadRequestError("time_zone: required with send_at_local", [
        { path: "time_zone", message: "required with send_at_local" },
      ]);
    }
    return { sendAtLocal: input.sendAtLocal, timeZone: input.timeZone };
  }
  if (input.timeZone !== undefined) {
    throw new BadRequestError("time_zone: only with send_at_local", [
      { path: "time_zone", message: "only with send_at_local" },
    ]);
  }
  if (input.sendAt === undefined) {
    throw new BadRequestError("send_at: required (or send_at_local with time_zone)", [
      { path: "send_at", message: "required (or send_at_local with time_zone)" },
    ]);
  }
  return { sendAt: input.sendAt };
}

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
  input: { campaignId: string; action: CampaignAction } & Partial<ScheduleFields>;
}): Promise<Campaign> {
  const current = await mustCampaign(ctx, projectId, input.campaignId);
  const { action } = input;
  assertTransition(action, current.status);
  const now = ctx.now();
  let set: Parameters<typeof updateEmailCampaignRow>[4] = { status: TRANSITIONS[action].to, updatedAt: now };
  if (action === "schedule" || action === "send") {
    const schedule =
      action === "send"
        ? { sendAt: now, sendAtLocal: null, timeZone: null }
        : await resolveSchedule(ctx, projectId, scheduleInput(input));
    const { sendAt } = schedule;
    // Rows written at the start carry their zone's instant: a paused campaign that started cannot
    // move into, out of, or within recipient mode (resume it, or cancel and copy it).
    const started = current.startedAt !== null || current.recipients > 0;
    if (started && (schedule.timeZone === RECIPIENT || current.timeZone === RECIPIENT)) {
      throw new ConflictError(
        "this campaign started in (or is moving to) recipients' time zones; its rows keep their due times: resume it instead",
      );
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
      sendAtLocal: schedule.sendAtLocal,
      timeZone: schedule.timeZone,
      // Recipient mode keeps the earliest zone's instant even when past: later zones are still to come.
      sendAt: schedule.timeZone === RECIPIENT ? sendAt : Math.max(sendAt, now),
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
  notifyCampaignLive(ctx, projectId, row.id);
  if (row.status === "scheduled") {
    await queueCampaignStart(ctx, {
      projectId,
      campaignId: row.id,
      sendAt: Math.max(row.sendAt ?? now, now),
    });
  }
  return toCampaign(row);
}
