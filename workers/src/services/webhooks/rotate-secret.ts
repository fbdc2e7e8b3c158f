import { findWebhookEndpoint, updateWebhookEndpointRow } from "@pushbunny/db";
import { generateWebhookSecret } from "@pushbunny/email";
import type { AppContext } from "../../context";
import { NotFoundError } from "../../errors";
import { recordAudit } from "../audit/record-audit";
import { toEndpoint, type WebhookEndpoint } from "./lib/endpoint";
import { ROTATION_GRACE_MS, sealSecret } from "./lib/secrets";

/**
 * A new signing secret, returned once. The old one keeps signing beside it for 24 hours (each
 * delivery carries both signatures), so receivers can switch without a failed delivery. A second
 * rotation inside that window drops the oldest secret.
 */
export async function rotateWebhookSecret({
  ctx,
  projectId,
  actor,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: { webhookId: string };
}): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const current = await findWebhookEndpoint(ctx.db, projectId, input.webhookId);
  if (!current) throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  const secret = generateWebhookSecret();
  const now = ctx.now();
  const row = await updateWebhookEndpointRow(ctx.db, projectId, current.id, {
    secret: await sealSecret(ctx, projectId, current.id, secret),
    // Same seal context (project, endpoint): the sealed text moves over as it is.
    previousSecret: current.secret,
    previousSecretExpiresAt: now + ROTATION_GRACE_MS,
    updatedAt: now,
  });
  if (!row) throw new NotFoundError(`webhook '${input.webhookId}' not found`);
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: { action: "webhook.secret_rotated", targetType: "webhook", targetId: row.id },
  });
  return { endpoint: toEndpoint(row, now), secret };
}
