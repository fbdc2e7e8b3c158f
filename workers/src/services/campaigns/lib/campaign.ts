import type { CampaignStatus, CampaignSubjectArm, EmailCampaignRow } from "@pushbunny/db";
import { findEmailCampaign } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { BadRequestError, ConflictError, NotFoundError } from "../../../errors";
import { mustSegment } from "../../segments/lib";
import { checkTemplate, mustTemplate } from "../../templates/lib/template";

/** A campaign as the services hand it out (times in Unix ms). */
export interface Campaign {
  id: string;
  name: string;
  from: string;
  replyTo: string | null;
  templateId: string;
  segmentId: string | null;
  subjects: string[];
  status: CampaignStatus;
  sendAt: number | null;
  /** The wall-clock time it was scheduled at (`YYYY-MM-DDTHH:mm`), with its zone or `recipient`. */
  sendAtLocal: string | null;
  timeZone: string | null;
  /** Instants still to come and how many recipients each (null: not known before the start); GET only. */
  nextDue?: { at: number; recipients: number | null }[];
  experimentId: string | null;
  arms: CampaignSubjectArm[] | null;
  counts: { recipients: number; sent: number; failed: number; skipped: number };
  startedAt: number | null;
  completedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const toCampaign = (row: EmailCampaignRow): Campaign => ({
  id: row.id,
  name: row.name,
  from: row.fromAddress,
  replyTo: row.replyTo,
  templateId: row.templateId,
  segmentId: row.segmentId,
  subjects: row.subjects,
  status: row.status,
  sendAt: row.sendAt,
  sendAtLocal: row.sendAtLocal,
  timeZone: row.timeZone,
  experimentId: row.experimentId,
  arms: row.arms,
  counts: { recipients: row.recipients, sent: row.sent, failed: row.failed, skipped: row.skipped },
  startedAt: row.startedAt,
  completedAt: row.completedAt,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export async function mustCampaign(
  ctx: AppContext,
  projectId: string,
  campaignId: string,
): Promise<EmailCampaignRow> {
  const row = await findEmailCampaign(ctx.db, projectId, campaignId);
  if (!row) throw new NotFoundError(`campaign '${campaignId}' not found`);
  return row;
}

/** The actions a person may take, and the statuses each starts from. `sent` is reached by the fan-out only. */
export const TRANSITIONS = {
  schedule: { from: ["draft", "paused"], to: "scheduled" },
  // Send now: scheduled at this instant, so one path (the start job) starts every campaign.
  send: { from: ["draft", "paused"], to: "scheduled" },
  pause: { from: ["scheduled", "sending"], to: "paused" },
  resume: { from: ["paused"], to: "scheduled" },
  cancel: { from: ["draft", "scheduled", "sending", "paused"], to: "cancelled" },
} as const satisfies Record<string, { from: readonly CampaignStatus[]; to: CampaignStatus }>;
export type CampaignAction = keyof typeof TRANSITIONS;

/** 409 unless `action` may start from `status`. */
export function assertTransition(action: CampaignAction, status: CampaignStatus): void {
  const allowed: readonly CampaignStatus[] = TRANSITIONS[action].from;
  if (!allowed.includes(status)) {
    throw new ConflictError(
      `cannot ${action} a campaign that is ${status} (only from ${allowed.join(" or ")})`,
    );
  }
}

/** Subject lines: none (the template's alone), or 2–5 distinct ones that pass the template's checks. */
export const MAX_SUBJECTS = 5;

/**
 * Checks what a campaign points at (template, segment, in the caller's project) and each subject
 * line as the template's subject would be checked at save time.
 */
export async function checkCampaignParts(
  ctx: AppContext,
  projectId: string,
  parts: { templateId: string; segmentId: string | null; subjects: string[] },
): Promise<void> {
  const template = await mustTemplate(ctx, projectId, parts.templateId);
  if (parts.segmentId) await mustSegment(ctx, projectId, parts.segmentId);
  const { subjects } = parts;
  if (subjects.length === 1 || subjects.length > MAX_SUBJECTS) {
    throw new BadRequestError(`subjects: none, or 2-${MAX_SUBJECTS} subject lines`, [
      { path: "subjects", message: `none, or 2-${MAX_SUBJECTS} subject lines` },
    ]);
  }
  if (new Set(subjects.map((s) => s.trim().toLowerCase())).size !== subjects.length) {
    throw new BadRequestError("subjects: must be distinct", [
      { path: "subjects", message: "must be distinct" },
    ]);
  }
  for (const [index, subject] of subjects.entries()) {
    try {
      checkTemplate({ ...template, subject });
    } catch (error) {
      if (error instanceof BadRequestError) {
        throw new BadRequestError(`subjects.${index}: ${error.message}`, [
          { path: `subjects.${index}`, message: error.message },
        ]);
      }
      throw error;
    }
  }
}
