import { type AdChannel, deleteChannelAccount } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";

/** Disconnects a channel; its synced metrics stay for reporting. 404 when it was not connected. */
export async function disconnectChannel({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { channel: AdChannel };
}): Promise<void> {
  if (!(await deleteChannelAccount(ctx.db, projectId, input.channel))) {
    throw new NotFoundError(`channel '${input.channel}' is not connected`);
  }
}
