import { createRoute, z } from "@hono/zod-openapi";
import { NOTIFICATION_STATUSES } from "@pushbunny/db";
import { BadRequestError } from "../../../errors";
import {
  cancelNotification,
  getNotification,
  notificationHistory,
  type SendInput,
  sendNotification,
} from "../../../services/notifications";
import {
  changeSubscription,
  currentKey,
  deleteSubscription,
  getSubscription,
  MAX_TOPICS,
  rotateVapidKey,
  subscribe,
  vapidKeyView,
} from "../../../services/push";
import { deliveryReport, subscriptionReport } from "../../../services/push-analytics";
import { limitBody } from "../../middleware/limits";
import { BEARER, commonErrors, ErrorEnvelope, notFound, unavailable } from "../../schemas";
import type { App } from "../../types";

const Topic = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only");
const Id = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name, in: "path" }, example });
const anyJson = (description: string) => ({
  description,
  content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
});
const conflict = (description: string) =>
  ({ 409: { description, content: { "application/json": { schema: ErrorEnvelope } } } }) as const;
const tooLarge = {
  413: {
    description: "The payload can never fit a push message (4,096 bytes encrypted)",
    content: { "application/json": { schema: ErrorEnvelope } },
  },
} as const;

export const SubscribeBody = z
  .strictObject({
    endpoint: z
      .string()
      .min(1)
      .max(2048)
      .openapi({ example: "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b…" }),
    keys: z.strictObject({
      p256dh: z.string().min(1).max(200),
      auth: z.string().min(1).max(100),
    }),
    expirationTime: z
      .number()
      .nullable()
      .optional()
      .openapi({ description: "As PushSubscription.toJSON() gives it; ignored" }),
    topics: z
      .array(Topic)
      .max(MAX_TOPICS)
      .optional()
      .openapi({ description: "Omitted on a re-subscribe: the stored topics stay" }),
    user_id: z.string().trim().min(1).max(256).nullable().optional(),
  })
  .openapi("SubscribeRequest");

const Action = z.strictObject({
  action: z.string().min(1).max(64),
  title: z.string().min(1).max(128),
  icon: z.url().max(2048).optional(),
});

const Payload = z
  .strictObject({
    title: z.string().max(256).optional(),
    body: z.string().max(4000).optional(),
    icon: z.url().max(2048).optional(),
    image: z.url().max(2048).optional(),
    badge: z.url().max(2048).optional(),
    url: z.url().max(2048).optional(),
    tag: z.string().max(128).optional(),
    actions: z.array(Action).max(2).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    intent_id: z.string().trim().min(1).max(128).optional(),
    base_example: z.string().trim().min(1).max(1000).optional(),
    locale: z.string().min(2).max(35).nullable().optional(),
    context: z.record(z.string().max(64), z.string().max(1000)).optional(),
  })
  .openapi("NotificationPayload", {
    description:
      "What the service worker shows. Instead of a fixed body, name an intent_id and base_example: each recipient gets the copy the message engine picks for its user_id, with a tracking token for opens.",
  });

const Options = z.strictObject({
  ttl: z
    .int()
    .min(0)
    .max(2_419_200)
    .default(86_400)
    .openapi({ description: "Seconds the push service keeps it for an offline browser" }),
  urgency: z.enum(["very-low", "low", "normal", "high"]).optional(),
  topic: z
    .string()
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/, "base64url characters only (RFC 8030)")
    .optional()
    .openapi({ description: "Replaces an undelivered message with the same topic" }),
  scheduled_at: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: "Send later (UTC ISO date-time)" }),
});

const Target = z
  .strictObject({
    subscription_ids: z.array(z.string().min(1).max(64)).max(1000).optional(),
    user_ids: z.array(z.string().min(1).max(256)).max(1000).optional(),
    topics: z.array(Topic).max(MAX_TOPICS).optional(),
    all: z.literal(true).optional(),
  })
  .refine(
    (t) => t.all || t.subscription_ids?.length || t.user_ids?.length || t.topics?.length,
    "name at least one recipient: subscription_ids, user_ids, topics, or all: true",
  );

const SendBody = z
  .strictObject({ payload: Payload, target: Target, options: Options.default({ ttl: 86_400 }) })
  .openapi("SendNotification");
const BroadcastBody = z
  .strictObject({ payload: Payload, options: Options.default({ ttl: 86_400 }) })
  .openapi("BroadcastNotification");

const routes = {
  publicKey: createRoute({
    method: "get",
    path: "/v1/push/vapid-public-key",
    operationId: "getVapidPublicKey",
    tags: ["push"],
    summary: "The project's current VAPID public key (generated on first use)",
    security: BEARER,
    responses: {
      200: anyJson("The key: pass public_key as applicationServerKey"),
      ...commonErrors,
      ...unavailable,
    },
  }),
  rotate: createRoute({
    method: "post",
    path: "/v1/push/vapid/rotate",
    operationId: "rotateVapidKey",
    tags: ["push"],
    summary: "Rotate the VAPID key; existing subscriptions keep working with theirs",
    security: BEARER,
    responses: { 200: anyJson("The new current key"), ...commonErrors, ...unavailable },
  }),
  subscribe: createRoute({
    method: "post",
    path: "/v1/subscriptions",
    operationId: "createSubscription",
    tags: ["push"],
    summary: "Store a browser's push subscription (idempotent per endpoint)",
    security: BEARER,
    middleware: [limitBody(16 * 1024)] as const,
    request: { body: { required: true, content: { "application/json": { schema: SubscribeBody } } } },
    responses: {
      201: anyJson("Created"),
      200: anyJson("Already known: refreshed"),
      ...commonErrors,
      ...unavailable,
    },
  }),
  getSub: createRoute({
    method: "get",
    path: "/v1/subscriptions/{subscription_id}",
    operationId: "getSubscription",
    tags: ["push"],
    summary: "A subscription",
    security: BEARER,
    request: { params: z.object({ subscription_id: Id("subscription_id", "sub_0a1b2c3d4e5f60718293") }) },
    responses: { 200: anyJson("The subscription"), ...commonErrors, ...notFound },
  }),
  putSub: createRoute({
    method: "put",
    path: "/v1/subscriptions/{subscription_id}",
    operationId: "updateSubscription",
    tags: ["push"],
    summary: "Change topics, enabled or user_id",
    security: BEARER,
    middleware: [limitBody(16 * 1024)] as const,
    request: {
      params: z.object({ subscription_id: Id("subscription_id", "sub_0a1b2c3d4e5f60718293") }),
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .strictObject({
                topics: z.array(Topic).max(MAX_TOPICS).optional(),
                enabled: z.boolean().optional(),
                user_id: z.string().trim().min(1).max(256).nullable().optional(),
              })
              .refine((b) => Object.keys(b).length > 0, "nothing to change: send topics, enabled or user_id"),
          },
        },
      },
    },
    responses: { 200: anyJson("The subscription"), ...commonErrors, ...notFound },
  }),
  deleteSub: createRoute({
    method: "delete",
    path: "/v1/subscriptions/{subscription_id}",
    operationId: "deleteSubscription",
    tags: ["push"],
    summary: "Stop sending to a subscription (kept for analytics)",
    security: BEARER,
    request: { params: z.object({ subscription_id: Id("subscription_id", "sub_0a1b2c3d4e5f60718293") }) },
    responses: { 204: { description: "Deleted" }, ...commonErrors, ...notFound },
  }),
  send: createRoute({
    method: "post",
    path: "/v1/notifications/send",
    operationId: "sendNotification",
    tags: ["push"],
    summary: "Send (or schedule) a notification to subscriptions, users or topics",
    security: BEARER,
    middleware: [limitBody(64 * 1024)] as const,
    request: { body: { required: true, content: { "application/json": { schema: SendBody } } } },
    responses: { 202: anyJson("Queued or scheduled"), ...commonErrors, ...tooLarge },
  }),
  broadcast: createRoute({
    method: "post",
    path: "/v1/notifications/broadcast",
    operationId: "broadcastNotification",
    tags: ["push"],
    summary: "Send (or schedule) a notification to every active subscription",
    security: BEARER,
    middleware: [limitBody(64 * 1024)] as const,
    request: { body: { required: true, content: { "application/json": { schema: BroadcastBody } } } },
    responses: { 202: anyJson("Queued or scheduled"), ...commonErrors, ...tooLarge },
  }),
  history: createRoute({
    method: "get",
    path: "/v1/notifications/history",
    operationId: "notificationHistory",
    tags: ["push"],
    summary: "Notifications, newest first, with delivery counts",
    security: BEARER,
    request: {
      query: z.object({
        page: z.coerce.number().int().min(1).max(10_000).default(1),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        type: z.enum(["send", "broadcast"]).optional(),
        status: z.enum(NOTIFICATION_STATUSES).optional(),
      }),
    },
    responses: { 200: anyJson("A page"), ...commonErrors },
  }),
  getNotification: createRoute({
    method: "get",
    path: "/v1/notifications/{notification_id}",
    operationId: "getNotification",
    tags: ["push"],
    summary: "A notification with its delivery stats",
    security: BEARER,
    request: { params: z.object({ notification_id: Id("notification_id", "ntf_0a1b2c3d4e5f60718293") }) },
    responses: { 200: anyJson("The notification"), ...commonErrors, ...notFound },
  }),
  cancel: createRoute({
    method: "delete",
    path: "/v1/notifications/{notification_id}",
    operationId: "cancelNotification",
    tags: ["push"],
    summary: "Cancel a scheduled notification",
    security: BEARER,
    request: { params: z.object({ notification_id: Id("notification_id", "ntf_0a1b2c3d4e5f60718293") }) },
    responses: {
      200: anyJson("Canceled"),
      ...commonErrors,
      ...notFound,
      ...conflict("It has already gone out"),
    },
  }),
  subsAnalytics: createRoute({
    method: "get",
    path: "/v1/analytics/subscriptions",
    operationId: "subscriptionAnalytics",
    tags: ["push"],
    summary: "Active, new, expired and deleted subscriptions, by day",
    security: BEARER,
    request: { query: z.object({ date_from: z.iso.date().optional(), date_to: z.iso.date().optional() }) },
    responses: { 200: anyJson("By day"), ...commonErrors },
  }),
  deliveryAnalytics: createRoute({
    method: "get",
    path: "/v1/analytics/deliveries",
    operationId: "deliveryAnalytics",
    tags: ["push"],
    summary: "Sent, delivered, failed and expired deliveries with rates, by day",
    security: BEARER,
    request: { query: z.object({ date_from: z.iso.date().optional(), date_to: z.iso.date().optional() }) },
    responses: { 200: anyJson("By day"), ...commonErrors },
  }),
};

const DAY_MS = 86_400_000;

/** A date range in UTC days, both ends included; 30 days to today by default. */
function range(now: number, from?: string, to?: string) {
  const toMs = to ? Date.parse(`${to}T00:00:00Z`) + DAY_MS - 1 : now;
  const fromMs = from ? Date.parse(`${from}T00:00:00Z`) : toMs - 30 * DAY_MS + 1;
  if (fromMs > toMs)
    throw new BadRequestError("date_from must not be after date_to", [
      { path: "date_from", message: "after date_to" },
    ]);
  if (toMs - fromMs > 366 * DAY_MS)
    throw new BadRequestError("at most 366 days at a time", [
      { path: "date_from", message: "range too long" },
    ]);
  return { fromMs, toMs };
}

/** The verb's input from a send or broadcast body. */
function sendInput(
  type: SendInput["type"],
  target: SendInput["target"],
  payload: z.infer<typeof Payload>,
  options: z.infer<typeof Options>,
): SendInput {
  return {
    type,
    target,
    content: payload,
    ttl: options.ttl,
    ...(options.urgency ? { urgency: options.urgency } : {}),
    ...(options.topic ? { topic: options.topic } : {}),
    ...(options.scheduled_at ? { scheduledAt: Date.parse(options.scheduled_at) } : {}),
  };
}

/** Every /v1 push route: VAPID keys, subscriptions, sending, history and analytics. */
export function registerPushRoutes(app: App) {
  app.openapi(routes.publicKey, async (c) => {
    const ctx = c.get("ctx");
    return c.json(
      vapidKeyView(await currentKey(ctx, c.get("owner").projectId), ctx.config.push.vapidSubject),
      200,
    );
  });
  app.openapi(routes.rotate, async (c) =>
    c.json(await rotateVapidKey({ ctx: c.get("ctx"), projectId: c.get("owner").projectId }), 200),
  );
  app.openapi(routes.subscribe, async (c) => {
    const b = c.req.valid("json");
    const { subscription, created } = await subscribe({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { endpoint: b.endpoint, keys: b.keys, topics: b.topics, userId: b.user_id },
    });
    return c.json(subscription, created ? 201 : 200);
  });
  app.openapi(routes.getSub, async (c) =>
    c.json(
      await getSubscription({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        input: { id: c.req.valid("param").subscription_id },
      }),
      200,
    ),
  );
  app.openapi(routes.putSub, async (c) => {
    const b = c.req.valid("json");
    const sub = await changeSubscription({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: {
        id: c.req.valid("param").subscription_id,
        ...(b.topics ? { topics: b.topics } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        ...(b.user_id !== undefined ? { userId: b.user_id } : {}),
      },
    });
    return c.json(sub, 200);
  });
  app.openapi(routes.deleteSub, async (c) => {
    await deleteSubscription({
      ctx: c.get("ctx"),
      projectId: c.get("owner").projectId,
      input: { id: c.req.valid("param").subscription_id },
    });
    return c.body(null, 204);
  });
  app.openapi(routes.send, async (c) => {
    const b = c.req.valid("json");
    const target = {
      ...(b.target.subscription_ids ? { subscriptionIds: b.target.subscription_ids } : {}),
      ...(b.target.user_ids ? { userIds: b.target.user_ids } : {}),
      ...(b.target.topics ? { topics: b.target.topics } : {}),
      ...(b.target.all ? { all: true } : {}),
    };
    const input = sendInput("send", target, b.payload, b.options);
    return c.json(
      await sendNotification({ ctx: c.get("ctx"), projectId: c.get("owner").projectId, input }),
      202,
    );
  });
  app.openapi(routes.broadcast, async (c) => {
    const b = c.req.valid("json");
    const input = sendInput("broadcast", { all: true }, b.payload, b.options);
    return c.json(
      await sendNotification({ ctx: c.get("ctx"), projectId: c.get("owner").projectId, input }),
      202,
    );
  });
  app.openapi(routes.history, async (c) => {
    const q = c.req.valid("query");
    return c.json(
      await notificationHistory({ ctx: c.get("ctx"), projectId: c.get("owner").projectId, input: q }),
      200,
    );
  });
  app.openapi(routes.getNotification, async (c) =>
    c.json(
      await getNotification({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        input: { id: c.req.valid("param").notification_id },
      }),
      200,
    ),
  );
  app.openapi(routes.cancel, async (c) =>
    c.json(
      await cancelNotification({
        ctx: c.get("ctx"),
        projectId: c.get("owner").projectId,
        input: { id: c.req.valid("param").notification_id },
      }),
      200,
    ),
  );
  app.openapi(routes.subsAnalytics, async (c) => {
    const q = c.req.valid("query");
    const ctx = c.get("ctx");
    return c.json(
      await subscriptionReport({
        ctx,
        projectId: c.get("owner").projectId,
        input: range(ctx.now(), q.date_from, q.date_to),
      }),
      200,
    );
  });
  app.openapi(routes.deliveryAnalytics, async (c) => {
    const q = c.req.valid("query");
    const ctx = c.get("ctx");
    return c.json(
      await deliveryReport({
        ctx,
        projectId: c.get("owner").projectId,
        input: range(ctx.now(), q.date_from, q.date_to),
      }),
      200,
    );
  });
}
