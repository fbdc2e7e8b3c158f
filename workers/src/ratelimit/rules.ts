import type { RateLimitRule } from "./interface";

// Pure: no bindings, no env. The names, the `N/unit` form, the built-in defaults and the bounds
// a project may set. docs/adr/0016-rate-limits-and-quotas.md explains each number.

/** Route classes: every operation is limited under one of these (classes.ts maps them). */
export const ROUTE_CLASSES = [
  "message",
  "events",
  "notification",
  "subscription",
  "analytics",
  "management",
  "auth",
] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** Quotas on paid work, counted per project rather than per caller. */
export const QUOTAS = ["generation", "analysis"] as const;
export type Quota = (typeof QUOTAS)[number];

/** Everything `projects.limits` and the `RATE_LIMIT_*` variables can set. */
export const LIMIT_NAMES = [...ROUTE_CLASSES, ...QUOTAS] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export const isLimitName = (name: string): name is LimitName =>
  (LIMIT_NAMES as readonly string[]).includes(name);

export const LIMIT_UNITS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type LimitUnit = keyof typeof LIMIT_UNITS;

/** The largest N any limit may name: beyond it a limit is no limit, and counts stay exact integers. */
export const MAX_LIMIT_COUNT = 10_000_000;

/** A parsed limit: the rule the counters apply, and its canonical text (`6000/minute`). */
export interface Limit extends RateLimitRule {
  text: string;
}

/**
 * Built-in values when neither the project nor a `RATE_LIMIT_*` variable sets one. Request
 * classes count per caller (API key or person) and, separately, per client IP; quotas count per
 * project. Generous for the request classes (a busy production app stays well under them; the
 * bench's one key at full speed does too), tight for the work that costs money.
 */
export const DEFAULT_LIMITS: Record<LimitName, string> = {
  message: "60000/minute",
  events: "30000/minute",
  subscription: "30000/minute",
  notification: "1000/hour",
  analytics: "1200/minute",
  management: "600/minute",
  auth: "1000/hour",
  generation: "100/hour",
  analysis: "60/hour",
};

/**
 * The most a project may set for a request class (overrideProblem says how a different window
 * compares). For the hot classes it is the flood ceiling the binding enforces anyway (flood.ts),
 * so a higher value could never apply. Quotas have none here: a project may only lower its
 * quota's count, within the deployment's window.
 */
export const PROJECT_MAXIMUMS: Record<RouteClass, string> = {
  message: "120000/minute",
  events: "60000/minute",
  subscription: "60000/minute",
  notification: "20000/hour",
  analytics: "12000/minute",
  management: "6000/minute",
  auth: "20000/hour",
};

const FORM = /^(\d{1,9})\/(second|minute|hour|day)s?$/;

/** What a bad limit is told: the accepted form. */
export const LIMIT_FORM = `'N/second', 'N/minute', 'N/hour' or 'N/day' with N from 1 to ${MAX_LIMIT_COUNT.toLocaleString("en-US")}`;

/** Parses `100/hour` (spaces and a plural unit tolerated, case-insensitive); an error string otherwise. */
export function parseLimit(value: unknown): Limit | string {
  if (typeof value !== "string") return `expected a string such as "100/hour"`;
  const match = FORM.exec(value.replace(/\s+/g, "").toLowerCase());
  const count = match ? Number(match[1]) : Number.NaN;
  if (!match || !(count >= 1 && count <= MAX_LIMIT_COUNT)) {
    return `expected ${LIMIT_FORM}, got ${JSON.stringify(value.slice(0, 40))}`;
  }
  const unit = match[2] as LimitUnit;
  return { limit: count, windowMs: LIMIT_UNITS[unit], text: `${count}/${unit}` };
}

/** Requests per millisecond, to compare limits over different windows. */
export const rateOf = (l: RateLimitRule) => l.limit / l.windowMs;

const mustParse = (value: string): Limit => {
  const parsed = parseLimit(value);
  if (typeof parsed === "string") throw new Error(`internal: bad built-in limit ${value}: ${parsed}`);
  return parsed;
};

export type LimitTable = Readonly<Record<LimitName, Limit>>;

const deploymentTables = new WeakMap<object, LimitTable>();

/**
 * The deployment's values: each `RATE_LIMIT_*` variable over the built-in default. The variables
 * are validated when the configuration loads (env.ts), so a bad one never gets here.
 */
export function deploymentLimits(rateLimits: Partial<Record<LimitName, string>>): LimitTable {
  const cached = deploymentTables.get(rateLimits);
  if (cached) return cached;
  const table = Object.fromEntries(
    LIMIT_NAMES.map((name) => {
      const raw = rateLimits[name];
      const parsed = raw === undefined ? undefined : parseLimit(raw);
      return [name, parsed && typeof parsed !== "string" ? parsed : mustParse(DEFAULT_LIMITS[name])];
    }),
  ) as Record<LimitName, Limit>;
  deploymentTables.set(rateLimits, table);
  return table;
}

/** Problems with the `RATE_LIMIT_*` variables, one line each (`RATE_LIMIT_ANALYTICS: expected …`). */
export function rateLimitVariableProblems(
  rateLimits: Partial<Record<LimitName, string>>,
  variableOf: Record<LimitName, string>,
): string[] {
  return LIMIT_NAMES.flatMap((name) => {
    const raw = rateLimits[name];
    if (raw === undefined) return [];
    const parsed = parseLimit(raw);
    return typeof parsed === "string" ? [`${variableOf[name]}: ${parsed}`] : [];
  });
}

/** The most a project may set for `name` under this deployment. */
export function projectMaximum(name: LimitName, deployment: LimitTable): Limit {
  const own = deployment[name];
  if (name === "generation" || name === "analysis") return own;
  const ceiling = mustParse(PROJECT_MAXIMUMS[name]);
  // An operator who raised a class above the usual maximum lets projects go as high.
  return rateOf(own) > rateOf(ceiling) ? own : ceiling;
}

/** One problem with a project's limits, for the 400's `issues`. */
export interface LimitIssue {
  path: string;
  message: string;
}

const isQuota = (name: LimitName): name is Quota => (QUOTAS as readonly string[]).includes(name);

const unitOf = (l: Limit): string => l.text.slice(l.text.indexOf("/") + 1);

/**
 * Why a project may not set `value` for `name` under this deployment; null when it may.
 *
 * Quotas keep the deployment's window and may only lower its count: an average rate is not a
 * bound on paid work, since "2400/day" against "100/hour" spends a day's worth in the first hour.
 * Request classes may not burst above their maximum either: over a longer window the count
 * stays at most the maximum's count, over a shorter (or the same) window the rate is bounded.
 */
export function overrideProblem(name: LimitName, value: Limit, deployment: LimitTable): string | null {
  const max = projectMaximum(name, deployment);
  if (isQuota(name)) {
    if (value.windowMs === max.windowMs && value.limit <= max.limit) return null;
    return `a project may lower this quota but not raise it or change its window: expected 'N/${unitOf(max)}' with N from 1 to ${max.limit} (the deployment's ${max.text})`;
  }
  const fits =
    value.windowMs > max.windowMs ? value.limit <= max.limit : rateOf(value) <= rateOf(max) * (1 + 1e-9);
  if (fits) return null;
  return `at most ${max.text}: over a shorter window at most the same rate, over a longer window N at most ${max.limit} (no burst above the maximum)`;
}

/**
 * Validates a project's overrides against the form and the bounds; returns the canonical
 * texts, or the issues. Unknown names are refused so a typo never silently does nothing.
 */
export function checkProjectLimits(
  input: Record<string, unknown>,
  deployment: LimitTable,
): { limits: Partial<Record<LimitName, string>> } | { issues: LimitIssue[] } {
  const issues: LimitIssue[] = [];
  const limits: Partial<Record<LimitName, string>> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === null || value === undefined) continue;
    if (!isLimitName(name)) {
      issues.push({ path: name, message: `unknown limit; use one of ${LIMIT_NAMES.join(", ")}` });
      continue;
    }
    const parsed = parseLimit(value);
    if (typeof parsed === "string") {
      issues.push({ path: name, message: parsed });
      continue;
    }
    const problem = overrideProblem(name, parsed, deployment);
    if (problem) {
      issues.push({ path: name, message: problem });
      continue;
    }
    limits[name] = parsed.text;
  }
  return issues.length > 0 ? { issues } : { limits };
}

/** The project's effective table: its overrides over the deployment's values. */
export function effectiveLimits(
  deployment: LimitTable,
  overrides: Partial<Record<LimitName, string>> | null,
): LimitTable {
  if (!overrides) return deployment;
  const table: Record<string, Limit> = { ...deployment };
  for (const [name, value] of Object.entries(overrides)) {
    if (!isLimitName(name) || typeof value !== "string") continue;
    const parsed = parseLimit(value);
    // A stored value that no longer parses or fits (edited by hand, stored under older bounds,
    // or the operator changed the deployment's value) falls back to the deployment's.
    if (typeof parsed !== "string" && overrideProblem(name, parsed, deployment) === null) {
      table[name] = parsed;
    }
  }
  return table as LimitTable;
}
