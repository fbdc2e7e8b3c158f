import { verifyReceipt } from "@pushbunny/core";
import { findProject, markDelivery } from "@pushbunny/db";
import * as z from "zod";
import { BadRequestError, NotFoundError, UnauthorizedError } from "../../../errors";
import { ingestEvents } from "../../../services/ingest-events";
import { currentKey, subscribe, vapidKeyView } from "../../../services/push";
import { prometheusMetrics } from "../../../services/push-analytics";
import { limitBody } from "../../middleware/limits";
import type { App } from "../../types";
import { SERVICE_WORKER_JS, subscribePage } from "./browser-assets";
import { SubscribeBody } from "./index";

const ReceiptBody = z.strictObject({
  receipt: z.string().min(1).max(200),
  event: z.enum(["displayed", "clicked"]),
  tracking_token: z.string().min(1).max(400).optional(),
});

async function readJson<T>(req: Request, schema: z.ZodType<T>): Promise<T> {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new BadRequestError("body must be JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message }));
    throw new BadRequestError(issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues);
  }
  return parsed.data;
}

async function projectOr404(c: { get(k: "ctx"): import("../../../context").AppContext }, projectId: string) {
  const owner = /^prj_[0-9a-z_]{1,64}$/.test(projectId)
    ? await findProject(c.get("ctx").db, projectId)
    : null;
  if (!owner) throw new NotFoundError(`project '${projectId}' not found`);
  return owner;
}

/**
 * The browser's side, without an API key: the service worker, the subscribe page, the public
 * key and subscribing (a project id is public, as an app id is in other push products), the
 * delivery receipts (each signed for one delivery), and /metrics behind its own token.
 */
export function registerBrowserPushRoutes(app: App) {
  app.get("/push/sw.js", (c) =>
    c.body(SERVICE_WORKER_JS, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
      "service-worker-allowed": "/push/",
    }),
  );
  app.get("/push/:project/subscribe", async (c) => {
    const owner = await projectOr404(c, c.req.param("project"));
    return c.html(subscribePage(owner.projectId), 200, { "cache-control": "no-cache" });
  });
  app.get("/push/:project/vapid-public-key", async (c) => {
    const owner = await projectOr404(c, c.req.param("project"));
    const ctx = c.get("ctx");
    return c.json(vapidKeyView(await currentKey(ctx, owner.projectId), ctx.config.push.vapidSubject), 200);
  });
  app.post("/push/:project/subscriptions", limitBody(16 * 1024), async (c) => {
    const owner = await projectOr404(c, c.req.param("project"));
    const b = await readJson(c.req.raw, SubscribeBody);
    const { subscription, created } = await subscribe({
      ctx: c.get("ctx"),
      projectId: owner.projectId,
      input: { endpoint: b.endpoint, keys: b.keys, topics: b.topics, userId: b.user_id },
    });
    return c.json(subscription, created ? 201 : 200);
  });
  app.post("/push/receipts", limitBody(4 * 1024), async (c) => {
    const ctx = c.get("ctx");
    const b = await readJson(c.req.raw, ReceiptBody);
    const claims = await verifyReceipt(ctx.config.trackingSecret, b.receipt);
    if (!claims)
      throw new BadRequestError("receipt is malformed or forged", [{ path: "receipt", message: "invalid" }]);
    const now = ctx.now();
    const delivery = await markDelivery(ctx.db, { ...claims, event: b.event, now });
    if (!delivery) throw new NotFoundError("delivery not found");
    let opened = false;
    if (b.event === "clicked" && b.tracking_token) {
      // A click on optimised copy is the variant's "opened" event, through the usual ingest.
      const result = await ingestEvents({
        ctx,
        projectId: claims.projectId,
        input: [{ type: "opened", tracking_token: b.tracking_token, timestamp: now }],
      });
      opened = result.recorded === 1;
    }
    return c.json({ delivery_id: delivery.id, status: delivery.status, opened }, 200);
  });
  app.get("/metrics", async (c) => {
    const ctx = c.get("ctx");
    if (!ctx.config.metricsToken)
      throw new NotFoundError("metrics are off: set METRICS_TOKEN to enable them");
    if (c.req.header("authorization") !== `Bearer ${ctx.config.metricsToken}`) {
      throw new UnauthorizedError("a metrics token is required");
    }
    return c.body(await prometheusMetrics(ctx), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
}
