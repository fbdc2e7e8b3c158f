import { getAlert, resolveAlert } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { type AdAlert, toAlert } from "./insights/types";

/** Resolves an alert by hand; resolving a resolved one is a no-op that returns it. */
export async function resolveAdAlert({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { alertId: string };
}): Promise<AdAlert> {
  const row = await resolveAlert(ctx.db, { projectId, alertId: input.alertId, now: ctx.now() });
  if (row) return toAlert(row);
  const existing = await getAlert(ctx.db, projectId, input.alertId);
  if (!existing) throw new NotFoundError(`alert '${input.alertId}' not found`);
  return toAlert(existing);
}
