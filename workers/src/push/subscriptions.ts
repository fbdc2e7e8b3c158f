import type { SubscriptionRow, SubscriptionStatus } from "@pushbunny/db";
import { findSubscription } from "@pushbunny/db";
import {
  DEFAULT_PUSH_HOSTS,
  type EndpointPolicy,
  normalizeEndpoint,
  type SubscriptionKeys,
  subscriptionProblems,
} from "@pushbunny/webpush";
import type { AppContext } from "../context";
import { BadRequestError, NotFoundError } from "../errors";

export const MAX_TOPICS = 20;
/** Topics a project may open to browsers without an API key. */
export const MAX_PUBLIC_TOPICS = 100;

/** A stored subscription with the status its timestamps and flag add up to. */
export type Subscription = SubscriptionRow & { status: SubscriptionStatus };

export function toSubscription(row: SubscriptionRow): Subscription {
  const status: SubscriptionStatus =
    row.deletedAt !== null
      ? "deleted"
      : row.expiredAt !== null
        ? "expired"
        : row.enabled
          ? "active"
          : "disabled";
  return { ...row, status };
}

export function endpointPolicy(ctx: AppContext): EndpointPolicy {
  return {
    allowedHosts: ctx.config.push.allowedHosts ?? DEFAULT_PUSH_HOSTS,
    allowLoopback: ctx.config.push.allowLoopback,
  };
}

/**
 * The endpoint in its stored form, after checking it (https, a known push service: no SSRF)
 * and the keys; a 400 naming each problem otherwise.
 */
export async function checkedEndpoint(
  ctx: AppContext,
  input: { endpoint: string; keys: SubscriptionKeys },
): Promise<string> {
  const problems = await subscriptionProblems(input.endpoint, input.keys, endpointPolicy(ctx));
  const normal = normalizeEndpoint(input.endpoint);
  if (problems.length > 0 || !normal.ok) {
    throw new BadRequestError(
      problems[0] ?? "invalid subscription",
      problems.map((p) => ({ path: p.split(":")[0] ?? "subscription", message: p })),
    );
  }
  return normal.endpoint;
}

/** The project's subscription or a 404. */
export async function mustSubscription(
  ctx: AppContext,
  projectId: string,
  id: string,
): Promise<SubscriptionRow> {
  const row = await findSubscription(ctx.db, projectId, id);
  if (!row) throw new NotFoundError(`subscription '${id}' not found`);
  return row;
}

/** Topics without duplicates, in the order given. */
export const uniqueTopics = (topics: string[]) => [...new Set(topics)];
