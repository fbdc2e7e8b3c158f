import { deleteWebhookEndpointRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";

/** Deletes an endpoint and its delivery log; nothing more is sent to it. */
export async function deleteWebhook({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { webhookId: string };
}): Promise<void> {
  if (!(await deleteWebhookEndpointRow(ctx.db, projectId, input.webhookId))) {
    throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  }
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: { action: "webhook.deleted", targetType: "webhook", targetId: input.webhookId },
  });
}
