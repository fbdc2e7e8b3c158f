import { createRoute } from "@hono/zod-openapi";
import { disconnectChannel } from "../../../services/ads/disconnect-channel";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { ChannelParams } from "./schemas";

export const disconnectChannelRoute = createRoute({
  method: "delete",
  path: "/v1/ads/channels/{channel}",
  operationId: "disconnectAdChannel",
  "x-pushbunny-access": "admin",
  tags: ["ads"],
  summary: "Disconnect a channel (its synced metrics stay)",
  security: BEARER,
  request: { params: ChannelParams },
  responses: { 204: { description: "Disconnected" }, ...commonErrors, ...notFound },
});

/** DELETE /v1/ads/channels/{channel} */
export function registerDisconnectChannel(app: App) {
  app.openapi(disconnectChannelRoute, async (c) => {
    const { channel } = c.req.valid("param");
    await disconnectChannel({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { channel },
    });
    return c.body(null, 204);
  });
}
