import { newId } from "@pushbunny/core";
import { insertEmailCampaign } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { type Campaign, checkCampaignParts, toCampaign } from "./lib/campaign";

export interface CampaignInput {
  name: string;
  from: string;
  replyTo: string | null;
  templateId: string;
  /** null: every subscribed contact. */
  segmentId: string | null;
  subjects: string[];
}

/** Saves a draft campaign after checking its template, segment and subject lines. */
export async function createCampaign({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: CampaignInput;
}): Promise<Campaign> {
  const subjects = input.subjects.map((s) => s.trim());
  await checkCampaignParts(ctx, projectId, { ...input, subjects });
  const now = ctx.now();
  const row = {
    id: newId("cmp"),
    projectId,
    name: input.name,
    fromAddress: input.from,
    replyTo: input.replyTo,
    templateId: input.templateId,
    segmentId: input.segmentId,
    subjects,
    status: "draft" as const,
    sendAt: null,
    sendAtLocal: null,
    timeZone: null,
    experimentId: null,
    arms: null,
    recipients: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    startedAt: null,
    completedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await insertEmailCampaign(ctx.db, row);
  return toCampaign(row);
}
