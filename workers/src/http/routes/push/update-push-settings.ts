import { createRoute, z } from "@hono/zod-openapi";
import { MAX_PUBLIC_TOPICS } from "../../../push/subscriptions";
import { updatePushSettings } from "../../../services/push/update-push-settings";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { settingsResponse, settingsView } from "./push-settings-view";
import { Topic } from "./shared";

export const updatePushSettingsRoute = createRoute({
  method: "put",
  path: "/v1/push/settings",
  operationId: "updatePushSettings",
  "x-pushbunny-access": "write",
  tags: ["push"],
  summary: "Set the public topics (replaces the list)",
  security: BEARER,
  middleware: [limitBody(16 * 1024)] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .strictObject({ public_topics: z.array(Topic).max(MAX_PUBLIC_TOPICS) })
            .openapi("PushSettingsUpdate"),
        },
      },
    },
  },
  responses: { 200: settingsResponse, ...commonErrors },
});

export function registerUpdatePushSettings(app: App) {
  app.openapi(updatePushSettingsRoute, async (c) => {
    const b = c.req.valid("json");
    const s = await updatePushSettings({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { publicTopics: b.public_topics },
    });
    return c.json(settingsView(s), 200);
  });
}
