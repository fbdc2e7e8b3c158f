import { countWebhookEndpoints, insertWebhookEndpoint } from "@pushbunny/db";
import { generateWebhookSecret } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { ConflictError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { toEndpoint, type WebhookEndpoint } from "./lib/endpoint";
import { newEndpointId } from "./lib/ids";
import { checkEndpointInput, MAX_ENDPOINTS } from "./lib/input";
import { sealSecret } from "./lib/secrets";

/** Registers an endpoint; its signing secret is returned here once and stored sealed. */
export async function createWebhook({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { url: string; events: string[]; description?: string | null; enabled?: boolean };
}): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const checked = checkEndpointInput(ctx, input);
  if ((await countWebhookEndpoints(ctx.db, projectId)) >= MAX_ENDPOINTS) {
    throw new ConflictError(`a project has at most ${MAX_ENDPOINTS} webhook endpoints: delete one first`);
  }
  const id = newEndpointId();
  const secret = generateWebhookSecret();
  const now = ctx.now();
  const enabled = input.enabled ?? true;
  const row = await insertWebhookEndpoint(ctx.db, {
    id,
    projectId,
    url: checked.url ?? input.url,
    events: checked.events ?? [],
    description: input.description ?? null,
    enabled,
    disabledAt: enabled ? null : now,
    secret: await sealSecret(ctx, projectId, id, secret),
    createdAt: now,
    updatedAt: now,
  });
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "webhook.created",
      targetType: "webhook",
      targetId: id,
      details: { url: row.url, events: row.events },
    },
  });
  return { endpoint: toEndpoint(row, now), secret };
}
