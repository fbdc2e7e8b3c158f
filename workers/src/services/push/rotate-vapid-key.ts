import type { AppContext } from "../../context";
import { createVapidKey } from "../../push/vapid-keys";
import type { VapidKey } from "./get-vapid-key";

/** A new current VAPID key; subscriptions keep signing with the key they were made with. */
export async function rotateVapidKey({
  ctx,
  projectId,
}: {
  ctx: AppContext;
  projectId: string;
}): Promise<VapidKey> {
  const row = await createVapidKey(ctx, projectId, true);
  ctx.logger.info("VAPID key rotated", { projectId, keyId: row.id });
  return {
    keyId: row.id,
    publicKey: row.publicKey,
    subject: ctx.config.push.vapidSubject,
    createdAt: row.createdAt,
  };
}
