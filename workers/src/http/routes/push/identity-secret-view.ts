import { z } from "@hono/zod-openapi";
import type { IdentitySecretStatus } from "../../../services/push/get-identity-secret";
import { iso } from "./shared";

export const IdentitySecretView = z
  .object({
    exists: z.boolean(),
    created_at: z.string().nullable(),
    previous_valid_until: z
      .string()
      .nullable()
      .openapi({ description: "Until when hashes made with the previous secret still verify" }),
  })
  .openapi("IdentitySecretStatus");

export const identitySecretView = (s: IdentitySecretStatus): z.infer<typeof IdentitySecretView> => ({
  exists: s.exists,
  created_at: iso(s.createdAt),
  previous_valid_until: iso(s.previousValidUntil),
});
