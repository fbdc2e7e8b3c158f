import { seal, unseal } from "@pushbunny/core";
import type { WebhookEndpointRow } from "@pushbunny/db";
import type { AppContext } from "../../../context";
import { credentialsKey } from "../../../push/vapid-keys";

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

// The seal is bound to the endpoint: a sealed secret copied onto another row does not open.
const sealContext = (projectId: string, endpointId: string) => `${projectId}:webhook:${endpointId}`;

/** Seals a signing secret for storage (AES-GCM with CREDENTIALS_KEY). */
export function sealSecret(
  ctx: AppContext,
  projectId: string,
  endpointId: string,
  secret: string,
): Promise<string> {
  return seal(credentialsKey(ctx), sealContext(projectId, endpointId), secret);
}

/**
 * The secrets a delivery is signed with now: the current one, and the previous one until its
 * grace period ends (Standard Webhooks sends one signature per secret, space-separated).
 */
export async function signingSecrets(ctx: AppContext, endpoint: WebhookEndpointRow): Promise<string[]> {
  const key = credentialsKey(ctx);
  const context = sealContext(endpoint.projectId, endpoint.id);
  const current = await unseal(key, context, endpoint.secret);
  if (current === null) throw new Error(`webhook endpoint ${endpoint.id}: the secret does not unseal`);
  const out = [current];
  if (
    endpoint.previousSecret &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt > ctx.now()
  ) {
    const previous = await unseal(key, context, endpoint.previousSecret);
    if (previous !== null) out.push(previous);
  }
  return out;
}
