import { createRoute } from "@hono/zod-openapi";
import { rateLimit } from "../../../../ratelimit/middleware";
import { getVapidKey } from "../../../../services/push/get-vapid-key";
import { unavailable } from "../../../schemas";
import type { App } from "../../../types";
import { NO_AUTH, projectNotFound, publicErrors } from "../shared";
import { vapidKeyResponse, vapidKeyView } from "../vapid-key-view";
import { LIMITS } from "./limits";
import { ProjectParam, projectOr404 } from "./project";

export const publicVapidKeyRoute = createRoute({
  method: "get",
  path: "/push/{project}/vapid-public-key",
  operationId: "getPublicVapidKey",
  tags: ["push-browser"],
  summary: "The project's current VAPID public key, for pushManager.subscribe()",
  security: NO_AUTH,
  middleware: [rateLimit("read", LIMITS.read)] as const,
  request: { params: ProjectParam },
  responses: { 200: vapidKeyResponse("The key"), ...publicErrors, ...projectNotFound, ...unavailable },
});

export function registerPublicVapidKey(app: App) {
  app.openapi(publicVapidKeyRoute, async (c) => {
    const ctx = c.get("ctx");
    const owner = await projectOr404(ctx, c.req.valid("param").project);
    return c.json(vapidKeyView(await getVapidKey({ ctx, projectId: owner.projectId })), 200);
  });
}
