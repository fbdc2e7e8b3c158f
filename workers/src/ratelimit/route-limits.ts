import type { Context, Next } from "hono";
import type { Principal } from "../access/principal";
import type { AppContext } from "../context";
import type { AppEnv } from "../http/types";
import { classOf } from "./classes";
import { LimitExceededError, waitText } from "./errors";
import { exactLimiter } from "./exact";
import { FLOOD_CEILINGS, FLOOD_PERIOD_MS, FloodGate, floodCeiling, isFloodClass } from "./flood";
import { policyField, remainingField } from "./headers";
import { type Decision, LeaserPool } from "./leased";
import { clientIp } from "./middleware";
import { cachedProjectLimits, projectLimits } from "./project-limits";
import { deploymentLimits, type Limit, type LimitTable, type RouteClass } from "./rules";

/** Hot-class budgets up to this size send RateLimit headers on every answer. */
const HOT_HEADERS_UP_TO = 1_000;

// This isolate's share of the counting: leased tokens per budget, flood samples per bucket.
const leasers = new LeaserPool();
const floods = new FloodGate();

/** Who a bucket belongs to, for the 429's message. */
type Who = "key" | "person" | "address";
const WHO_TEXT: Record<Who, string> = {
  key: "for this API key",
  person: "for your account",
  address: "from this address",
};

interface Bucket {
  key: string;
  who: Who;
}

/**
 * Per-class limits on every /v1 operation, per caller (API key or person) and per client IP
 * (CF-Connecting-IP), both scoped to the project the request acts on, so one project's flood
 * never spends another's budget. Runs after the auth middleware, which names the operation,
 * the caller and the project. docs/adr/0016-rate-limits-and-quotas.md.
 *
 * The budgets (the project's configured limits) are counted by the RateLimitCounter Durable
 * Object through tokens this isolate leases (leased.ts): a warm request costs a decrement, and
 * small budgets or slow traffic are counted one call per request, exactly. The hot classes
 * (message, events, subscription) also pass a flood ceiling on the Workers Rate Limiting binding,
 * sampled (flood.ts). Answers carry RateLimit-Policy and RateLimit; refusals are 429 with
 * Retry-After.
 */
export async function routeLimits(c: Context<AppEnv>, next: Next): Promise<void> {
  const op = c.get("operation");
  if (!op) return next();
  const cls = classOf(op.operationId, op.access, c.req.path);
  if (cls === "own" || cls === "none") return next();

  const ctx = c.get("ctx");
  const now = ctx.now();
  const owner = c.get("owner");
  const table: LimitTable = owner
    ? (cachedProjectLimits(ctx.config, owner.projectId, now) ?? (await projectLimits(ctx, owner.projectId)))
    : deploymentLimits(ctx.config.rateLimits);
  const rule = table[cls];
  const buckets = bucketsOf(owner?.projectId ?? "-", c.get("principal"), c.req.header("cf-connecting-ip"));

  if (isFloodClass(cls)) await checkFlood(ctx, cls, buckets, now);
  const left = await spendBudgets(ctx, cls, rule, buckets, now);
  await next();
  // The hot classes answer with the headers when they matter (a small budget, or under a tenth
  // left); on a 60,000/minute budget every answer would carry two headers no client acts on.
  if (!isFloodClass(cls) || rule.limit <= HOT_HEADERS_UP_TO || (left && left.remaining * 10 < rule.limit)) {
    setHeaders(c, policyField(cls, rule), left && remainingField(cls, left.remaining, left.resetMs));
  }
}

/**
 * The same per-class budgets for work done outside /v1: a dashboard form that sends a
 * notification spends the project's `notification` budget for that person and address, as
 * POST /v1/notifications/broadcast would, so the Limits page holds for both doors.
 */
export async function spendClassBudget(
  ctx: AppContext,
  input: { projectId: string; cls: RouteClass; userId: string; ip: string | undefined },
): Promise<void> {
  const now = ctx.now();
  const table =
    cachedProjectLimits(ctx.config, input.projectId, now) ?? (await projectLimits(ctx, input.projectId));
  const buckets = [personBucket(input.projectId, input.userId), addressOf(input.projectId, input.ip)];
  await spendBudgets(ctx, input.cls, table[input.cls], buckets, now);
}

/**
 * The address a budget belongs to: an IPv4 address, or an IPv6 address's /64 (one subscriber
 * line holds a whole /64, so counting single addresses would give a flood 2^64 budgets).
 */
export function addressBucket(ip: string): string {
  if (!ip.includes(":")) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g: string) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

const addressOf = (scope: string, ipHeader: string | undefined): Bucket => ({
  key: `${scope}:ip:${addressBucket(clientIp(ipHeader))}`,
  who: "address",
});
const personBucket = (scope: string, userId: string): Bucket => ({
  key: `${scope}:u:${userId}`,
  who: "person",
});

function bucketsOf(scope: string, principal: Principal | undefined, ipHeader: string | undefined): Bucket[] {
  const address = addressOf(scope, ipHeader);
  if (!principal) return [address];
  return principal.kind === "api_key"
    ? [{ key: `${scope}:k:${principal.keyId}`, who: "key" }, address]
    : [personBucket(scope, principal.userId), address];
}

async function checkFlood(
  ctx: AppContext,
  cls: keyof typeof FLOOD_CEILINGS,
  buckets: Bucket[],
  now: number,
): Promise<void> {
  const binding = ctx.env[FLOOD_CEILINGS[cls].binding];
  // A deployment without the binding (an older wrangler.toml) keeps the projects' budgets.
  if (!binding) return;
  for (const b of buckets) {
    let d = floods.check(binding, `${cls}:${b.key}`, now);
    if (d instanceof Promise) d = await d.catch((err: unknown) => failOpen(ctx, "flood ceiling", err));
    if (!d.success) {
      const ceiling = { limit: floodCeiling(cls), windowMs: FLOOD_PERIOD_MS };
      throw new LimitExceededError(
        `too many ${cls} requests ${WHO_TEXT[b.who]}: the burst ceiling of about ${ceiling.limit}/minute is reached; retry in ${waitText(d.resetMs)}`,
        `${cls}-burst`,
        ceiling,
        d.resetMs,
      );
    }
  }
}

/** Spends one token of each bucket's budget; the least left, for the RateLimit header. */
async function spendBudgets(
  ctx: AppContext,
  cls: RouteClass,
  rule: Limit,
  buckets: Bucket[],
  now: number,
): Promise<{ remaining: number; resetMs: number } | null> {
  const env = ctx.env;
  let left: { remaining: number; resetMs: number } | null = null;
  for (const b of buckets) {
    const budget = budgetKey(cls, rule, b.key);
    const leaser = leasers.get(
      `${budget}|${rule.text}`,
      rule.limit,
      () => (want) => exactLimiter(env).lease(budget, rule, want),
    );
    const d = await leaser
      .take(now, ctx.waitUntil)
      .catch((err: unknown) => failOpen(ctx, "rate-limit budget", err));
    if (!d.success) throw refusal(cls, rule, b.who, d.resetMs);
    if (d.remaining >= 0 && (!left || d.remaining < left.remaining)) {
      left = { remaining: d.remaining, resetMs: d.resetMs };
    }
  }
  return left;
}

/**
 * The counter a budget spends: one per window length, because the counter object keeps a single
 * window and would read a count written under another window as its own.
 */
export const budgetKey = (cls: RouteClass, rule: Limit, bucket: string) =>
  `rl:${cls}:${rule.windowMs}:${bucket}`;

function refusal(cls: RouteClass, rule: Limit, who: Who, resetMs: number): LimitExceededError {
  return new LimitExceededError(
    `rate limit reached ${WHO_TEXT[who]}: ${cls} requests are limited to ${rule.text}; retry in ${waitText(resetMs)}`,
    cls,
    rule,
    resetMs,
  );
}

// A limiter outage must not take the API down with it: the request goes through, logged.
function failOpen(ctx: AppContext, what: string, err: unknown): Decision {
  ctx.logger.warn(`${what} unavailable, request allowed`, { error: String(err) });
  return { success: true, resetMs: 0, remaining: -1 };
}

function setHeaders(c: Context<AppEnv>, policy: string, remaining: string | null): void {
  const headers = c.res.headers;
  // A quota the handler refused (429 "analysis") describes itself; the class's budget would mislead.
  if (headers.has("RateLimit-Policy")) return;
  try {
    headers.set("RateLimit-Policy", policy);
    if (remaining) headers.set("RateLimit", remaining);
  } catch {
    // Immutable headers (a response passed through): the security middleware rebuilds those.
  }
}

/** Forgets this isolate's leased tokens and flood samples (tests). */
export function resetRouteLimitState(): void {
  leasers.clear();
  floods.clear();
}
