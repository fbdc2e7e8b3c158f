import { newId } from "@pushbunny/core";
import { findPushSettings, upsertSubscriptionAnonymously } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { BadRequestError, ForbiddenError } from "../../errors";
import { activeIdentitySecrets, verifyUserHash } from "../../push/identity";
import { checkedEndpoint, type Subscription, toSubscription, uniqueTopics } from "../../push/subscriptions";
import { currentKey } from "../../push/vapid-keys";

export interface SubscribeBrowserInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  topics?: string[] | undefined;
  userId?: string | undefined;
  /** Lowercase hex HMAC-SHA256 of userId under the project's identity secret. */
  userHash?: string | undefined;
}

/**
 * A browser subscribing itself, without an API key. Nothing is taken on the caller's word:
 * - a user id needs a user_hash made by the tenant's backend with the project's identity
 *   secret (or the previous one during its grace period); without a valid one it is a 403;
 * - topics must be among the project's public topics (400 naming the others);
 * - a known endpoint is refreshed (keys, VAPID key, topics, proven user) only while the tenant
 *   has never touched it through the API and it is neither deleted nor expired; otherwise it is
 *   left exactly as it is, and enabled/deleted are never changed here.
 */
export async function subscribeBrowser({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: SubscribeBrowserInput;
}): Promise<{ subscription: Subscription; created: boolean; changed: boolean }> {
  const endpoint = await checkedEndpoint(ctx, input);
  const settings = await findPushSettings(ctx.db, projectId);
  if (input.topics !== undefined) {
    const allowed = new Set(settings?.publicTopics ?? []);
    const unknown = uniqueTopics(input.topics).filter((t) => !allowed.has(t));
    if (unknown.length > 0) {
      throw new BadRequestError(
        `topics not public in this project: ${unknown.join(", ")} (a browser may only pick the topics the project lists in PUT /v1/push/settings public_topics)`,
        unknown.map((t) => ({ path: "topics", message: `'${t}' is not a public topic` })),
      );
    }
  }
  if (input.userHash !== undefined && input.userId === undefined) {
    throw new BadRequestError("user_hash without user_id", [
      { path: "user_id", message: "required with user_hash" },
    ]);
  }
  if (input.userId !== undefined) {
    const secrets = await activeIdentitySecrets(ctx, settings);
    if (secrets.length === 0) {
      throw new ForbiddenError(
        "this project has no identity secret, so a browser cannot name a user: create one with POST /v1/push/identity-secret, then send user_id with user_hash, or subscribe without user_id",
      );
    }
    if (input.userHash === undefined) {
      throw new ForbiddenError(
        "user_id needs user_hash: the lowercase hex HMAC-SHA256 of the user id keyed with the project's identity secret, computed by your backend",
      );
    }
    if (!(await verifyUserHash(secrets, input.userId, input.userHash))) {
      throw new ForbiddenError(
        "user_hash does not prove user_id: send the lowercase hex HMAC-SHA256 of user_id keyed with the project's current identity secret",
      );
    }
  }
  const key = await currentKey(ctx, projectId);
  const now = ctx.now();
  const { row, created, changed } = await upsertSubscriptionAnonymously(ctx.db, {
    id: newId("sub"),
    projectId,
    endpoint,
    p256dh: input.keys.p256dh,
    auth: input.keys.auth,
    topics: input.topics === undefined ? undefined : uniqueTopics(input.topics),
    userId: input.userId,
    vapidKeyId: key.id,
    createdAt: now,
    updatedAt: now,
  });
  if (!created && !changed)
    ctx.logger.info("anonymous re-subscribe left a managed subscription as it was", {
      projectId,
      subscriptionId: row.id,
    });
  return { subscription: toSubscription(row), created, changed };
}
