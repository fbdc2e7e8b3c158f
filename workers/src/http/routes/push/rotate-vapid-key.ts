import { createRoute } from "@hono/zod-openapi";
import { rotateVapidKey } from "../../../services/push/rotate-vapid-key";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { vapidKeyResponse, vapidKeyView } from "./vapid-key-view";

export const rotateVapidKeyRoute = createRoute({
  method: "post",
  path: "/v1/push/vapid/rotate",
  operationId: "rotateVapidKey",
  "x-pushbunny-access": "admin",
  tags: ["push"],
  summary: "Rotate the VAPID key; existing subscriptions keep working with theirs",
  security: BEARER,
  responses: { 200: vapidKeyResponse("The new current key"), ...commonErrors, ...unavailable },
});

export function registerRotateVapidKey(app: App) {
  app.openapi(rotateVapidKeyRoute, async (c) =>
    c.json(
      vapidKeyView(
        await rotateVapidKey({
          ctx: c.get("ctx"),
          projectId: c.get("owner").projectId,
          actor: c.get("actor"),
        }),
      ),
      200,
    ),
  );
}
