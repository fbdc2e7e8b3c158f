import { createRoute } from "@hono/zod-openapi";
import { getLatestAdInsight } from "../../../services/ads/get-latest-insight";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { InsightView } from "./insight-schemas";
import { insightJson } from "./insight-views";
import { json } from "./schemas";

export const getInsightRoute = createRoute({
  method: "get",
  path: "/v1/ads/insights/latest",
  operationId: "getAdInsight",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "The latest AI insight on the ad channels: which campaign to scale or cut, and why",
  description:
    "Written after each successful sync from numbers code computed (last 7 days vs the 28 before, per channel and campaign). A model narrates when GEMINI_API_KEY is set and the project's analysis quota allows; its text may cite only those numbers, else the template narrative is served (`fallback_reason` says why). 404 before the first sync finishes.",
  security: BEARER,
  responses: { 200: json("The latest insight", InsightView), ...notFound, ...commonErrors },
});

/** GET /v1/ads/insights/latest */
export function registerGetInsight(app: App) {
  app.openapi(getInsightRoute, async (c) => {
    const insight = await getLatestAdInsight({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json(insightJson(insight), 200);
  });
}
