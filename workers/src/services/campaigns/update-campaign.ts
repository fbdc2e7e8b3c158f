import { updateEmailCampaignRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import type { CampaignInput } from "./create-campaign";
import { type Campaign, checkCampaignParts, mustCampaign, toCampaign } from "./lib/campaign";

/** Changes a draft; once scheduled or sent, what it sends is fixed (409). */
export async function updateCampaign({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { campaignId: string } & Partial<CampaignInput>;
}): Promise<Campaign> {
  const current = await mustCampaign(ctx, projectId, input.campaignId);
  if (current.status !== "draft") {
    throw new ConflictError(`only a draft can be changed; this campaign is ${current.status}`);
  }
  const parts = {
    templateId: input.templateId ?? current.templateId,
    segmentId: input.segmentId === undefined ? current.segmentId : input.segmentId,
    subjects: input.subjects?.map((s) => s.trim()) ?? current.subjects,
  };
  await checkCampaignParts(ctx, projectId, parts);
  const row = await updateEmailCampaignRow(ctx.db, projectId, input.campaignId, ["draft"], {
    ...parts,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.from !== undefined ? { fromAddress: input.from } : {}),
    ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
    updatedAt: ctx.now(),
  });
  if (!row) throw new ConflictError("the campaign left draft while it was being changed");
  return toCampaign(row);
}
