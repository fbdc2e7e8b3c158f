import { createRoute } from "@hono/zod-openapi";
import { getAlertRules } from "../../../services/ads/get-alert-rules";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { AlertRules, RULES_DESCRIPTION } from "./insight-schemas";
import { ruleJson } from "./insight-views";
import { json } from "./schemas";

export const getAlertRulesRoute = createRoute({
  method: "get",
  path: "/v1/ads/alert-rules",
  operationId: "getAdAlertRules",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "The project's ad alert rules (defaults until changed)",
  description: RULES_DESCRIPTION,
  security: BEARER,
  responses: { 200: json("Every rule", AlertRules), ...commonErrors },
});

/** GET /v1/ads/alert-rules */
export function registerGetAlertRules(app: App) {
  app.openapi(getAlertRulesRoute, async (c) => {
    const rules = await getAlertRules({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json({ rules: rules.map(ruleJson) }, 200);
  });
}
