import { findWebhookEndpoint, updateWebhookEndpointRow, type WebhookEndpointRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { toEndpoint, type WebhookEndpoint } from "./lib/endpoint";
import { checkEndpointInput } from "./lib/input";

/**
 * Changes an endpoint's URL, events, description or state. Enabling clears why it was disabled
 * (deliveries that failed while it was off stay failed; retry them one by one).
 */
export async function updateWebhook({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: {
    webhookId: string;
    url?: string;
    events?: string[];
    description?: string | null;
    enabled?: boolean;
  };
}): Promise<WebhookEndpoint> {
  const checked = checkEndpointInput(ctx, input);
  const current = await findWebhookEndpoint(ctx.db, projectId, input.webhookId);
  if (!current) throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  const now = ctx.now();
  const set: Partial<WebhookEndpointRow> = { updatedAt: now };
  if (checked.url !== undefined) set.url = checked.url;
  if (checked.events !== undefined) set.events = checked.events;
  if (input.description !== undefined) set.description = input.description;
  if (input.enabled === true && (!current.enabled || current.disabledReason)) {
    Object.assign(set, { enabled: true, disabledReason: null, disabledAt: null });
  } else if (input.enabled === false && current.enabled) {
    Object.assign(set, { enabled: false, disabledReason: null, disabledAt: now });
  }
  const row = await updateWebhookEndpointRow(ctx.db, projectId, input.webhookId, set);
  if (!row) throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  const changed = Object.keys(set).filter(
    (k) => k !== "updatedAt" && k !== "disabledAt" && k !== "disabledReason",
  );
  if (changed.length > 0) {
    await recordAudit({
      ctx,
      projectId,
      actor,
      input: {
        action: "webhook.updated",
        targetType: "webhook",
        targetId: row.id,
        // Where deliveries went before and go now: a changed destination is what a reviewer looks for.
        details: {
          changed,
          ...(set.url !== undefined && set.url !== current.url
            ? { url: { from: current.url, to: set.url } }
            : {}),
        },
      },
    });
  }
  return toEndpoint(row, now);
}
