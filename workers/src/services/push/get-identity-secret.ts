import { findPushSettings } from "@pushbunny/db";
import type { AppContext } from "../../context";

/** Whether the project has an identity secret and since when; never the secret itself. */
export interface IdentitySecretStatus {
  exists: boolean;
  createdAt: number | null;
  /** Until when the previous secret still verifies (null: none does). */
  previousValidUntil: number | null;
}

export async function getIdentitySecret({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<IdentitySecretStatus> {
  const s = await findPushSettings(ctx.db, projectId);
  const previous =
    s?.previousIdentitySecret && (s.previousIdentitySecretExpiresAt ?? 0) > ctx.now()
      ? s.previousIdentitySecretExpiresAt
      : null;
  return {
    exists: Boolean(s?.identitySecret),
    createdAt: s?.identitySecret ? s.identitySecretCreatedAt : null,
    previousValidUntil: previous ?? null,
  };
}
