import type { AppContext } from "../../context";
import { createVapidKey } from "../../push/vapid-keys";
import { recordAudit } from "../audit/record-audit";
import type { VapidKey } from "./get-vapid-key";

/** A new current VAPID key; subscriptions keep signing with the key they were made with. */
export async function rotateVapidKey({
  ctx,
  projectId,
  actor,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
}): Promise<VapidKey> {
  const row = await createVapidKey(ctx, projectId, true);
  await recordAudit({
    ctx,
    projectId,
    actor,
    input: {
      action: "push.vapid_key_rotated",
      targetType: "vapid_key",
      targetId: row.id,
      details: { public_key: row.publicKey },
    },
  });
  ctx.logger.info("VAPID key rotated", { projectId, keyId: row.id });
  return {
    keyId: row.id,
    publicKey: row.publicKey,
    subject: ctx.config.push.vapidSubject,
    createdAt: row.createdAt,
  };
}
