import { getSyncRun as getSyncRunRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { type AdSyncRun, toSyncRun } from "./lib/types";

/** One sync run of the project, with each channel's outcome and failure cause; 404 otherwise. */
export async function getSyncRun({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { runId: string };
}): Promise<AdSyncRun> {
  const row = await getSyncRunRow(ctx.db, projectId, input.runId);
  if (!row) throw new NotFoundError(`sync run '${input.runId}' not found`);
  return toSyncRun(row);
}
