import { findPushSettings, savePushSettings } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { IDENTITY_GRACE_MS, newIdentitySecret, sealIdentitySecret } from "../../push/identity";
import type { IdentitySecretStatus } from "./get-identity-secret";

/**
 * Creates the project's identity secret, or replaces it: the one it replaces keeps verifying
 * for IDENTITY_GRACE_MS. The secret is returned here once and stored only sealed.
 */
export async function rotateIdentitySecret({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<IdentitySecretStatus & { secret: string }> {
  const now = ctx.now();
  const current = await findPushSettings(ctx.db, projectId);
  const secret = newIdentitySecret();
  const previousValidUntil = current?.identitySecret ? now + IDENTITY_GRACE_MS : null;
  await savePushSettings(ctx.db, projectId, {
    identitySecret: await sealIdentitySecret(ctx, projectId, secret),
    identitySecretCreatedAt: now,
    previousIdentitySecret: current?.identitySecret ?? null,
    previousIdentitySecretExpiresAt: previousValidUntil,
    updatedAt: now,
  });
  ctx.logger.info("push identity secret rotated", { projectId, hadOne: previousValidUntil !== null });
  return { secret, exists: true, createdAt: now, previousValidUntil };
}
