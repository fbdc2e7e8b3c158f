import { newId, seal, unseal } from "@pushbunny/core";
import {
  currentVapidKey,
  findSubscription,
  insertVapidKey,
  type SubscriptionRow,
  updateSubscription,
  upsertSubscription,
  type VapidKeyRow,
  vapidKeysByIds,
} from "@pushbunny/db";
import {
  DEFAULT_PUSH_HOSTS,
  type EndpointPolicy,
  generateVapidKeys,
  subscriptionProblems,
  type VapidKeyPair,
} from "@pushbunny/webpush";
import type { AppContext } from "../context";
import { BadRequestError, NotFoundError, ServiceUnavailableError } from "../errors";

export const MAX_TOPICS = 20;

const sealContext = (projectId: string, keyId: string) => `${projectId}:vapid:${keyId}`;

function credentialsKey(ctx: AppContext): string {
  const key = ctx.config.credentialsKey;
  if (!key) {
    throw new ServiceUnavailableError(
      "CREDENTIALS_KEY is not set: run `wrangler secret put CREDENTIALS_KEY` before using Web Push",
      3600,
    );
  }
  return key;
}

/** Creates a key pair, sealed at rest; `rotate` retires the others. */
async function createVapidKey(ctx: AppContext, projectId: string, rotate: boolean): Promise<VapidKeyRow> {
  const pair = await generateVapidKeys();
  const id = newId("vap");
  const row: VapidKeyRow = {
    id,
    projectId,
    publicKey: pair.publicKey,
    privateKey: await seal(credentialsKey(ctx), sealContext(projectId, id), pair.privateKey),
    createdAt: ctx.now(),
    retiredAt: null,
  };
  await insertVapidKey(ctx.db, row, { retireOthers: rotate });
  return row;
}

/** The project's current key, generated on first use (locally too). */
export async function currentKey(ctx: AppContext, projectId: string): Promise<VapidKeyRow> {
  return (await currentVapidKey(ctx.db, projectId)) ?? createVapidKey(ctx, projectId, false);
}

export function vapidKeyView(row: VapidKeyRow, subject: string) {
  return {
    key_id: row.id,
    public_key: row.publicKey,
    subject,
    created_at: new Date(row.createdAt).toISOString(),
  };
}

/** POST /v1/push/vapid/rotate: a new current key; subscriptions keep signing with their own. */
export async function rotateVapidKey({ ctx, projectId }: { ctx: AppContext; projectId: string }) {
  const row = await createVapidKey(ctx, projectId, true);
  ctx.logger.info("VAPID key rotated", { projectId, keyId: row.id });
  return vapidKeyView(row, ctx.config.push.vapidSubject);
}

const openedKeys = new Map<string, Promise<VapidKeyPair | null>>();

/** The key pairs subscriptions were made with (opened once per isolate). */
export async function signingKeys(
  ctx: AppContext,
  projectId: string,
  ids: string[],
): Promise<Map<string, VapidKeyPair>> {
  const out = new Map<string, VapidKeyPair>();
  const missing = [...new Set(ids)].filter((id) => !openedKeys.has(id));
  if (missing.length > 0) {
    const rows = await vapidKeysByIds(ctx.db, projectId, missing);
    const secret = credentialsKey(ctx);
    for (const row of rows) {
      openedKeys.set(
        row.id,
        unseal(secret, sealContext(projectId, row.id), row.privateKey).then((d) =>
          d === null ? null : { publicKey: row.publicKey, privateKey: d },
        ),
      );
    }
  }
  for (const id of new Set(ids)) {
    const pair = await openedKeys.get(id);
    if (pair) out.set(id, pair);
  }
  return out;
}

export function endpointPolicy(ctx: AppContext): EndpointPolicy {
  return {
    allowedHosts: ctx.config.push.allowedHosts ?? DEFAULT_PUSH_HOSTS,
    allowLoopback: ctx.config.push.allowLoopback,
  };
}

export function subscriptionView(row: SubscriptionRow) {
  return {
    subscription_id: row.id,
    endpoint: row.endpoint,
    topics: row.topics,
    user_id: row.userId,
    enabled: row.enabled,
    status:
      row.deletedAt !== null
        ? "deleted"
        : row.expiredAt !== null
          ? "expired"
          : row.enabled
            ? "active"
            : "disabled",
    vapid_key_id: row.vapidKeyId,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
    expired_at: row.expiredAt === null ? null : new Date(row.expiredAt).toISOString(),
    deleted_at: row.deletedAt === null ? null : new Date(row.deletedAt).toISOString(),
    last_sent_at: row.lastSentAt === null ? null : new Date(row.lastSentAt).toISOString(),
  };
}

export interface SubscribeInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Undefined on a re-subscribe that does not mention them: the stored ones stay. */
  topics?: string[] | undefined;
  userId?: string | null | undefined;
}

/**
 * POST /v1/subscriptions: validates the endpoint (https, a known push service: no SSRF) and
 * the keys, then stores it under the current VAPID key. Idempotent per endpoint.
 */
export async function subscribe({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: SubscribeInput;
}) {
  const problems = await subscriptionProblems(input.endpoint, input.keys, endpointPolicy(ctx));
  if (problems.length > 0) {
    throw new BadRequestError(
      problems[0] ?? "invalid subscription",
      problems.map((p) => ({ path: p.split(":")[0] ?? "subscription", message: p })),
    );
  }
  const key = await currentKey(ctx, projectId);
  const now = ctx.now();
  const { row, created } = await upsertSubscription(ctx.db, {
    id: newId("sub"),
    projectId,
    endpoint: input.endpoint,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    topics: input.topics === undefined ? undefined : [...new Set(input.topics)],
    userId: input.userId,
    vapidKeyId: key.id,
    createdAt: now,
    updatedAt: now,
  });
  return { subscription: subscriptionView(row), created };
}

async function mustSubscription(ctx: AppContext, projectId: string, id: string): Promise<SubscriptionRow> {
  const row = await findSubscription(ctx.db, projectId, id);
  if (!row) throw new NotFoundError(`subscription '${id}' not found`);
  return row;
}

export async function getSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}) {
  return subscriptionView(await mustSubscription(ctx, projectId, input.id));
}

export async function changeSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string; topics?: string[]; enabled?: boolean; userId?: string | null };
}) {
  const current = await mustSubscription(ctx, projectId, input.id);
  if (current.deletedAt !== null) throw new NotFoundError(`subscription '${input.id}' was deleted`);
  const row = await updateSubscription(ctx.db, projectId, input.id, {
    ...(input.topics ? { topics: [...new Set(input.topics)] } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    updatedAt: ctx.now(),
  });
  if (!row) throw new NotFoundError(`subscription '${input.id}' not found`);
  return subscriptionView(row);
}

/** DELETE: a soft delete, kept for analytics and never sent to again. */
export async function deleteSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}) {
  const current = await mustSubscription(ctx, projectId, input.id);
  if (current.deletedAt !== null) return;
  await updateSubscription(ctx.db, projectId, input.id, { deletedAt: ctx.now(), updatedAt: ctx.now() });
}
