import { z } from "@hono/zod-openapi";
import type { PushSettings } from "../../../services/push/get-push-settings";
import { iso } from "./shared";

export const SettingsView = z
  .object({
    public_topics: z
      .array(z.string())
      .openapi({ description: "Topics a browser may pick without an API key" }),
    identity_secret: z.boolean().openapi({ description: "Whether an identity secret exists" }),
    updated_at: z.string().nullable(),
  })
  .openapi("PushSettings");

export const settingsView = (s: PushSettings): z.infer<typeof SettingsView> => ({
  public_topics: s.publicTopics,
  identity_secret: s.identitySecret,
  updated_at: iso(s.updatedAt),
});
export const settingsResponse = {
  description: "The settings",
  content: { "application/json": { schema: SettingsView } },
};
