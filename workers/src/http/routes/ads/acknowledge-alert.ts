import { createRoute } from "@hono/zod-openapi";
import { acknowledgeAdAlert } from "../../../services/ads/acknowledge-alert";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { AlertIdParams, AlertView } from "./insight-schemas";
import { alertJson } from "./insight-views";
import { conflict, json } from "./schemas";

export const acknowledgeAlertRoute = createRoute({
  method: "post",
  path: "/v1/ads/alerts/{alert_id}/acknowledge",
  operationId: "acknowledgeAdAlert",
  "x-pushbunny-access": "write",
  tags: ["ads"],
  summary: "Acknowledge an open ad alert",
  description:
    "Someone is on it. A later sync still resolves it when the condition clears. 409 when resolved.",
  security: BEARER,
  request: { params: AlertIdParams },
  responses: {
    200: json("The alert", AlertView),
    ...notFound,
    ...conflict("The alert is already resolved"),
    ...commonErrors,
  },
});

/** POST /v1/ads/alerts/{alert_id}/acknowledge */
export function registerAcknowledgeAlert(app: App) {
  app.openapi(acknowledgeAlertRoute, async (c) => {
    const alert = await acknowledgeAdAlert({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { alertId: c.req.valid("param").alert_id },
    });
    return c.json(alertJson(alert), 200);
  });
}
