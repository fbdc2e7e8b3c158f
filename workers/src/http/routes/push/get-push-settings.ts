import { createRoute } from "@hono/zod-openapi";
import { getPushSettings } from "../../../services/push/get-push-settings";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { settingsResponse, settingsView } from "./push-settings-view";

export const getPushSettingsRoute = createRoute({
  method: "get",
  path: "/v1/push/settings",
  operationId: "getPushSettings",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "What browsers may do without an API key",
  security: BEARER,
  responses: { 200: settingsResponse, ...commonErrors },
});

export function registerGetPushSettings(app: App) {
  app.openapi(getPushSettingsRoute, async (c) =>
    c.json(
      settingsView(await getPushSettings({ ctx: c.get("ctx"), projectId: c.get("owner").projectId })),
      200,
    ),
  );
}
