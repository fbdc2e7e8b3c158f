import { z } from "@hono/zod-openapi";
import type { VapidKey } from "../../../services/push/get-vapid-key";
import { iso } from "./shared";

export const VapidKeyView = z
  .object({
    key_id: z.string(),
    public_key: z
      .string()
      .openapi({ description: "Pass as applicationServerKey to pushManager.subscribe()" }),
    subject: z.string(),
    created_at: z.string(),
  })
  .openapi("VapidPublicKey");

export const vapidKeyView = (k: VapidKey): z.infer<typeof VapidKeyView> => ({
  key_id: k.keyId,
  public_key: k.publicKey,
  subject: k.subject,
  created_at: iso(k.createdAt),
});

export const vapidKeyResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: VapidKeyView } },
});
