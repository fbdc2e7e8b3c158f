import { createRoute, z } from "@hono/zod-openapi";
import { connectChannel } from "../../../services/ads/connect-channel";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { emptyJsonIsEmptyObject } from "../experiments/schemas";
import { ChannelParams, ChannelView, json, RunView } from "./schemas";
import { connectionJson, runJson } from "./views";

export const ConnectBody = z
  .strictObject({
    credentials: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description:
          "The channel's API credentials (see the README); omit them to use the sandbox source. Each field is checked for the shape the channel uses, and placeholders (`EAAB…`, `<your token>`, `xxx`, `TODO`) are refused with a 400 naming the field. Stored sealed (AES-GCM) and never returned.",
        example: { accessToken: "EAAGm0PX4ZCpsBAKZC…", adAccountId: "1029384756" },
      }),
  })
  .openapi("ConnectAdChannel");

export const connectChannelRoute = createRoute({
  method: "put",
  path: "/v1/ads/channels/{channel}",
  operationId: "connectAdChannel",
  "x-pushbunny-access": "admin",
  tags: ["ads"],
  summary: "Connect a channel (or replace its credentials); queues its first sync",
  description:
    "With `credentials`, the real API; without, the deterministic sandbox. The first sync backfills 30 days.",
  security: BEARER,
  middleware: [limitBody(16 * 1024), emptyJsonIsEmptyObject] as const,
  request: {
    params: ChannelParams,
    body: { required: false, content: { "application/json": { schema: ConnectBody } } },
  },
  responses: {
    200: json("The connection and its first sync run", z.object({ channel: ChannelView, run: RunView })),
    ...commonErrors,
    ...unavailable,
  },
});

/** PUT /v1/ads/channels/{channel} */
export function registerConnectChannel(app: App) {
  app.openapi(connectChannelRoute, async (c) => {
    const { channel } = c.req.valid("param");
    const body = c.req.valid("json");
    const { connection, run } = await connectChannel({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      actor: c.get("actor"),
      input: { channel, ...(body?.credentials ? { credentials: body.credentials } : {}) },
    });
    return c.json({ channel: connectionJson(connection), run: runJson(run) }, 200);
  });
}
