import { createRoute } from "@hono/zod-openapi";
import { getVapidKey } from "../../../services/push/get-vapid-key";
import { BEARER, commonErrors, unavailable } from "../../schemas";
import type { App } from "../../types";
import { vapidKeyResponse, vapidKeyView } from "./vapid-key-view";

export const getVapidPublicKeyRoute = createRoute({
  method: "get",
  path: "/v1/push/vapid-public-key",
  operationId: "getVapidPublicKey",
  "x-pushbunny-access": "read",
  tags: ["push"],
  summary: "The project's current VAPID public key (generated on first use)",
  security: BEARER,
  responses: { 200: vapidKeyResponse("The key"), ...commonErrors, ...unavailable },
});

export function registerGetVapidPublicKey(app: App) {
  app.openapi(getVapidPublicKeyRoute, async (c) =>
    c.json(vapidKeyView(await getVapidKey({ ctx: c.get("ctx"), projectId: c.get("owner").projectId })), 200),
  );
}
