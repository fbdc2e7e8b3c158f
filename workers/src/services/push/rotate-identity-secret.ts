import { findPushSettings, savePushSettings } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { IDENTITY_GRACE_MS, newIdentitySecret, sealIdentitySecret } from "../../push/identity";
import { recordAudit } from "../audit/record-audit";
import type { IdentitySecretStatus } from "./get-identity-secret";

/**
 * Creates the project's identity secret, or replaces it: the one it replaces keeps verifying
 * for IDENTITY_GRACE_MS. The secret is returned here once and stored only sealed.
 */
export async function rotateIdentitySecret({
  ctx,
  projectId,
  actor,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
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
  // The secret itself never reaches the log: only when the one it replaced stops verifying.
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "push.identity_secret_rotated",
      targetType: "project",
      targetId: projectId,
      details: {
        previous_valid_until: previousValidUntil === null ? null : new Date(previousValidUntil).toISOString(),
      },
    },
  });
  ctx.logger.info("push identity secret rotated", { projectId, hadOne: previousValidUntil !== null });
  return { secret, exists: true, createdAt: now, previousValidUntil };
}
