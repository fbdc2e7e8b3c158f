import type { AppContext } from "../../context";
import { currentKey } from "../../push/vapid-keys";

/** A project's VAPID public key as browsers subscribe with it. */
export interface VapidKey {
  keyId: string;
  publicKey: string;
  subject: string;
  createdAt: number;
}

/** The project's current VAPID public key, generated on first use. */
export async function getVapidKey({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<VapidKey> {
  const row = await currentKey(ctx, projectId);
  return {
    keyId: row.id,
    publicKey: row.publicKey,
    subject: ctx.config.push.vapidSubject,
    createdAt: row.createdAt,
  };
}
