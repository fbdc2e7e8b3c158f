import { createRoute, z } from "@hono/zod-openapi";
import { getAdsSummary } from "../../../services/ads/get-summary";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { Channel, ChannelSummary, Day, json } from "./schemas";
import { summaryJson } from "./views";

export const AdsSummary = z
  .object({
    date_from: z.string().nullable(),
    date_to: z.string().nullable(),
    channels: z.array(ChannelSummary),
    total: ChannelSummary.openapi({ description: "All channels; a campaign on two channels counts once" }),
  })
  .openapi("AdSummary");

export const getSummaryRoute = createRoute({
  method: "get",
  path: "/v1/ads/summary",
  operationId: "getAdSummary",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "Totals and ROI per channel and overall",
  security: BEARER,
  request: {
    query: z.object({ channel: Channel.optional(), date_from: Day.optional(), date_to: Day.optional() }),
  },
  responses: { 200: json("Per-channel totals", AdsSummary), ...commonErrors },
});

/** GET /v1/ads/summary */
export function registerGetSummary(app: App) {
  app.openapi(getSummaryRoute, async (c) => {
    const q = c.req.valid("query");
    const summary = await getAdsSummary({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.date_from ? { dateFrom: q.date_from } : {}),
        ...(q.date_to ? { dateTo: q.date_to } : {}),
      },
    });
    return c.json(
      {
        date_from: summary.dateFrom,
        date_to: summary.dateTo,
        channels: summary.channels.map(summaryJson),
        total: summaryJson(summary.total),
      },
      200,
    );
  });
}
