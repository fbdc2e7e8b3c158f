import { acknowledgeAlert, getAlert } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { ConflictError, NotFoundError } from "../../errors";
import { type AdAlert, toAlert } from "./insights/types";

/**
 * Acknowledges an open alert: someone is on it; a later sync still resolves it when the
 * condition clears. Acknowledging twice is a no-op; a resolved alert is a 409.
 */
export async function acknowledgeAdAlert({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { alertId: string };
}): Promise<AdAlert> {
  const row = await acknowledgeAlert(ctx.db, { projectId, alertId: input.alertId, now: ctx.now() });
  if (row) return toAlert(row);
  const existing = await getAlert(ctx.db, projectId, input.alertId);
  if (!existing) throw new NotFoundError(`alert '${input.alertId}' not found`);
  if (existing.state === "resolved") throw new ConflictError(`alert '${input.alertId}' is already resolved`);
  return toAlert(existing);
}
