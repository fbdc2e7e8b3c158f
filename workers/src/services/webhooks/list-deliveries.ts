import { encodeCursor } from "@pushbunny/core";
import { findWebhookEndpoint, listWebhookDeliveriesPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { readCursor } from "../../infra/cursor";
import { toDelivery, type WebhookDelivery } from "./lib/endpoint";
import { isDeliveryId } from "./lib/ids";

/** A page of an endpoint's delivery log, newest first. */
export async function listDeliveries({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { webhookId: string; limit: number; cursor?: string };
}): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isDeliveryId(id));
  if (!(await findWebhookEndpoint(ctx.db, projectId, input.webhookId))) {
    throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  }
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 100);
  const rows = await listWebhookDeliveriesPage(ctx.db, projectId, input.webhookId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    deliveries: page.map(toDelivery),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
