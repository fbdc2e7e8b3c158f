import { createRoute } from "@hono/zod-openapi";
import { updateAlertRules } from "../../../services/ads/update-alert-rules";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { AlertRules, AlertRulesUpdate, RULES_DESCRIPTION } from "./insight-schemas";
import { ruleJson } from "./insight-views";
import { json } from "./schemas";

export const updateAlertRulesRoute = createRoute({
  method: "put",
  path: "/v1/ads/alert-rules",
  operationId: "updateAdAlertRules",
  "x-pushbunny-access": "write",
  tags: ["ads"],
  summary: "Turn ad alert rules on or off and set their thresholds",
  description: `Applies from the next sync. ${RULES_DESCRIPTION}`,
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: AlertRulesUpdate } } } },
  responses: { 200: json("Every rule after the change", AlertRules), ...commonErrors },
});

/** PUT /v1/ads/alert-rules */
export function registerUpdateAlertRules(app: App) {
  app.openapi(updateAlertRulesRoute, async (c) => {
    const body = c.req.valid("json");
    const rules = await updateAlertRules({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        rules: body.rules.map((r) => ({
          kind: r.kind,
          ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
          ...(r.threshold !== undefined ? { threshold: r.threshold } : {}),
          ...(r.min_baseline !== undefined ? { minBaseline: r.min_baseline } : {}),
        })),
      },
    });
    return c.json({ rules: rules.map(ruleJson) }, 200);
  });
}
