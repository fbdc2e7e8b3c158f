import { seal, unseal } from "@pushbunny/core";
import type { PushSettingsRow } from "@pushbunny/db";
import type { AppContext } from "../context";
import { credentialsKey } from "./vapid-keys";

/**
 * How long the previous identity secret still verifies after a rotation, so a tenant can roll
 * the new one out to its backends without refusing the browsers it already gave hashes to.
 */
export const IDENTITY_GRACE_MS = 24 * 3_600_000;

const utf8 = new TextEncoder();
const sealContext = (projectId: string) => `${projectId}:push-identity`;

/** A new identity secret: `pis_` and 32 random bytes in hex. */
export function newIdentitySecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `pis_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export function sealIdentitySecret(ctx: AppContext, projectId: string, secret: string): Promise<string> {
  return seal(credentialsKey(ctx), sealContext(projectId), secret);
}

/** Lowercase hex HMAC-SHA256(key = the secret's UTF-8 bytes, message = the user id's). */
export async function userHash(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    utf8.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(userId)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Equal strings, in time that depends only on their lengths (never on where they differ). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * The secrets a proof may be made with now: the current one, and the previous one within its
 * grace period. Empty when the project has none (or CREDENTIALS_KEY no longer opens them).
 */
export async function activeIdentitySecrets(
  ctx: AppContext,
  settings: PushSettingsRow | null,
): Promise<string[]> {
  if (!settings?.identitySecret) return [];
  const sealed = [settings.identitySecret];
  if (settings.previousIdentitySecret && (settings.previousIdentitySecretExpiresAt ?? 0) > ctx.now()) {
    sealed.push(settings.previousIdentitySecret);
  }
  const key = credentialsKey(ctx);
  const opened = await Promise.all(sealed.map((s) => unseal(key, sealContext(settings.projectId), s)));
  return opened.filter((s): s is string => s !== null);
}

/** Whether `hash` is the HMAC of `userId` under any of `secrets`; every secret is checked. */
export async function verifyUserHash(secrets: string[], userId: string, hash: string): Promise<boolean> {
  const expected = await Promise.all(secrets.map((s) => userHash(s, userId)));
  let ok = false;
  for (const e of expected) ok = constantTimeEqual(e, hash.toLowerCase()) || ok;
  return ok;
}
