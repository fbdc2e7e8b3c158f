import { latestAdInsight } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { type AdInsight, toInsight } from "./insights/types";

/** The newest narrated insight (written after each successful sync); 404 before the first one. */
export async function getLatestAdInsight({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<AdInsight> {
  const row = await latestAdInsight(ctx.db, projectId);
  if (!row) throw new NotFoundError("no ad insight yet: connect a channel and let a sync finish");
  return toInsight(row);
}
