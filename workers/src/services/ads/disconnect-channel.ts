import { type AdChannel, deleteChannelAccount } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";

/** Disconnects a channel; its synced metrics stay for reporting. 404 when it was not connected. */
export async function disconnectChannel({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { channel: AdChannel };
}): Promise<void> {
  if (!(await deleteChannelAccount(ctx.db, projectId, input.channel))) {
    throw new NotFoundError(`channel '${input.channel}' is not connected`);
  }
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: { action: "ads.channel_disconnected", targetType: "ad_channel", targetId: input.channel },
  });
}
