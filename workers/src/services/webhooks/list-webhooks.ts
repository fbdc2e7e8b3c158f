import { encodeCursor } from "@pushbunny/core";
import { listWebhookEndpointsPage } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
import { toEndpoint, type WebhookEndpoint } from "./lib/endpoint";
import { isEndpointId } from "./lib/ids";

/** A page of the project's endpoints, newest first. */
export async function listWebhooks({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { limit: number; cursor?: string };
}): Promise<{ webhooks: WebhookEndpoint[]; nextCursor: string | null }> {
  const after = readCursor(input.cursor, ["number", "string"], ([, id]) => isEndpointId(id));
  const limit = Math.min(Math.max(Math.trunc(input.limit) || 1, 1), 100);
  const rows = await listWebhookEndpointsPage(ctx.db, projectId, {
    limit: limit + 1,
    after: after && { createdAt: after[0], id: after[1] },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const now = ctx.now();
  return {
    webhooks: page.map((r) => toEndpoint(r, now)),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
