import { findWebhookEndpoint } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { toEndpoint, type WebhookEndpoint } from "./lib/endpoint";

/** One endpoint of the project (another project's is the same 404 as a missing one). */
export async function getWebhook({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { webhookId: string };
}): Promise<WebhookEndpoint> {
  const row = await findWebhookEndpoint(ctx.db, projectId, input.webhookId);
  if (!row) throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  return toEndpoint(row, ctx.now());
}
