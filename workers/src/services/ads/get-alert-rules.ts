import { listAlertRules } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { type AlertRule, effectiveRules } from "./insights/rules";

/** Every alert kind's rule: the project's setting, or the default. */
export async function getAlertRules({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<AlertRule[]> {
  return effectiveRules(await listAlertRules(ctx.db, projectId));
}
