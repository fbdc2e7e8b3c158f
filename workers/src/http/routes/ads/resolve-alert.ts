import { createRoute } from "@hono/zod-openapi";
import { resolveAdAlert } from "../../../services/ads/resolve-alert";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { AlertIdParams, AlertView } from "./insight-schemas";
import { alertJson } from "./insight-views";
import { json } from "./schemas";

export const resolveAlertRoute = createRoute({
  method: "post",
  path: "/v1/ads/alerts/{alert_id}/resolve",
  operationId: "resolveAdAlert",
  "x-pushbunny-access": "write",
  tags: ["ads"],
  summary: "Resolve an ad alert by hand",
  description:
    "It stays resolved for its day even if the condition holds; a later day's sync opens a new alert if it still does.",
  security: BEARER,
  request: { params: AlertIdParams },
  responses: { 200: json("The alert", AlertView), ...notFound, ...commonErrors },
});

/** POST /v1/ads/alerts/{alert_id}/resolve */
export function registerResolveAlert(app: App) {
  app.openapi(resolveAlertRoute, async (c) => {
    const alert = await resolveAdAlert({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { alertId: c.req.valid("param").alert_id },
    });
    return c.json(alertJson(alert), 200);
  });
}
