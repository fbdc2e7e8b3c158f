import { createRoute, z } from "@hono/zod-openapi";
import { getSyncRun } from "../../../services/ads/get-run";
import { BEARER, commonErrors, notFound } from "../../schemas";
import type { App } from "../../types";
import { json, RunView } from "./schemas";

import { runJson } from "./views";

export const RunParams = z.object({
  run_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: "run_id", in: "path" }, example: "asr_0a1b2c3d4e5f60718293" }),
});

export const getRunRoute = createRoute({
  method: "get",
  path: "/v1/ads/sync/runs/{run_id}",
  operationId: "getAdSyncRun",
  "x-pushbunny-access": "read",
  tags: ["ads"],
  summary: "One sync run, with each channel's outcome and failure cause",
  security: BEARER,
  request: { params: RunParams },
  responses: { 200: json("The run", RunView), ...commonErrors, ...notFound },
});

/** GET /v1/ads/sync/runs/{run_id} */
export function registerGetRun(app: App) {
  app.openapi(getRunRoute, async (c) => {
    const { run_id } = c.req.valid("param");
    const run = await getSyncRun({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { runId: run_id },
    });
    return c.json(runJson(run), 200);
  });
}
