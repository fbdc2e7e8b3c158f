import { createRoute, z } from "@hono/zod-openapi";
import { listChannels } from "../../../services/ads/list-channels";
import { BEARER, commonErrors } from "../../schemas";
import type { App } from "../../types";
import { ChannelView, json } from "./schemas";
import { connectionJson } from "./views";

/** At most one connection per channel (four), so the list is never paged. */
export const listChannelsRoute = createRoute({
  method: "get",
  path: "/v1/ads/channels",
  operationId: "listAdChannels",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "Connected ad channels",
  description:
    "Each with the account it reads and why its last sync failed, if it did. At most four: not paged.",
  security: BEARER,
  responses: {
    200: json("The project's channels", z.object({ channels: z.array(ChannelView) })),
    ...commonErrors,
  },
});

/** GET /v1/ads/channels */
export function registerListChannels(app: App) {
  app.openapi(listChannelsRoute, async (c) => {
    const connections = await listChannels({ ctx: c.get("ctx"), projectId: c.get("owner").projectId });
    return c.json({ channels: connections.map(connectionJson) }, 200);
  });
}
