import * as z from "zod";
import type { CampaignLive } from "./durable/campaign-live";
import type { RateLimitCounter } from "./durable/rate-limit-counter";
import type { RoundRobinCounter } from "./durable/round-robin-counter";
import { rateLimitVariableProblems } from "./ratelimit/rules";

/** Bindings and variables from wrangler.toml, `.dev.vars` and secrets. */
export interface Env {
  DB: D1Database;
  KV: KVNamespace;
  EVENTS_QUEUE: Queue<unknown>;
  JOBS_QUEUE: Queue<unknown>;
  /** Uploaded files (contact CSV imports) until the jobs queue has processed them. */
  UPLOADS: R2Bucket;
  ROTATION: DurableObjectNamespace<RoundRobinCounter>;
  RATE_LIMITS: DurableObjectNamespace<RateLimitCounter>;
  /** Live counters of a sending campaign, one object per campaign (WebSockets). */
  CAMPAIGN_LIVE: DurableObjectNamespace<CampaignLive>;
  /** Flood ceilings (Workers Rate Limiting) for the hot classes; wrangler.toml [[ratelimits]]. */
  RL_MESSAGE: RateLimit;
  RL_EVENTS: RateLimit;
  RL_SUBSCRIPTION: RateLimit;
  ENVIRONMENT?: string;
  LOG_LEVEL?: string;
  TRACKING_SECRET?: string;
  API_KEYS?: string;
  GEMINI_API_KEY?: string;
  GEMINI_MODEL?: string;
  GEMINI_BASE_URL?: string;
  CORS_ORIGINS?: string;
  CHALLENGER_COUNT?: string;
  LLM_TIMEOUT_MS?: string;
  ANALYSIS_INTERVAL_HOURS?: string;
  CREDENTIALS_KEY?: string;
  ADSYNC_LOOKBACK_DAYS?: string;
  META_API_BASE_URL?: string;
  GOOGLE_ADS_API_BASE_URL?: string;
  GOOGLE_OAUTH_BASE_URL?: string;
  TIKTOK_API_BASE_URL?: string;
  VAPID_SUBJECT?: string;
  PUSH_ALLOWED_HOSTS?: string;
  PUSH_ALLOW_LOOPBACK?: string;
  METRICS_TOKEN?: string;
  AUTH_SECRET?: string;
  PUBLIC_URL?: string;
  /** Sends campaign mail through Resend when set; otherwise mail lands in the D1 outbox (GET /v1/email/outbox). */
  RESEND_API_KEY?: string;
  /** Resend's origin; tests point it at a local stub. Default https://api.resend.com. */
  RESEND_BASE_URL?: string;
  /** The sender of account mail (sign-up, password reset, invites) when RESEND_API_KEY is set. */
  MAIL_FROM?: string;
  /** Verifies Resend's delivery webhooks (Svix, `whsec_…`); unset: POST /email/webhooks/resend answers 404. */
  RESEND_WEBHOOK_SECRET?: string;
  /** How long an outbound webhook receiver gets to answer, in ms (default 10000, at most 10000). */
  WEBHOOK_TIMEOUT_MS?: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
  GOOGLE_ISSUER?: string;
  /** The deployment's GitHub App (issue 17): every /v1/github route answers 503 until these are set. */
  GITHUB_APP_ID?: string;
  GITHUB_APP_SLUG?: string;
  /** The App's private key, the .pem GitHub generates (PKCS#1) or PKCS#8. */
  GITHUB_APP_PRIVATE_KEY?: string;
  /** The App's OAuth client: the setup callback proves which installations the person can reach. */
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  /** Verifies POST /github/webhook (X-Hub-Signature-256); unset: the route answers 404. */
  GITHUB_WEBHOOK_SECRET?: string;
  /** Default https://api.github.com; https://HOST/api/v3 on GitHub Enterprise Server, a stub in tests. */
  GITHUB_API_URL?: string;
  /** Default https://github.com. */
  GITHUB_WEB_URL?: string;
  RATE_LIMIT_MESSAGE?: string;
  RATE_LIMIT_EVENTS?: string;
  RATE_LIMIT_NOTIFICATION?: string;
  RATE_LIMIT_SUBSCRIPTION?: string;
  RATE_LIMIT_ANALYTICS?: string;
  RATE_LIMIT_MANAGEMENT?: string;
  RATE_LIMIT_AUTH?: string;
  RATE_LIMIT_GENERATION?: string;
  RATE_LIMIT_ANALYSIS?: string;
}

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const ConfigSchema = z.object({
  ENVIRONMENT: z.enum(["production", "staging", "development", "test"]).default("production"),
  LOG_LEVEL: z
    .preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), z.enum(LOG_LEVELS))
    .default("info"),
  TRACKING_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(16, "TRACKING_SECRET must be at least 16 characters").optional(),
  ),
  API_KEYS: z.preprocess(blankToUndefined, z.string().optional()),
  GEMINI_API_KEY: z.preprocess(blankToUndefined, z.string().optional()),
  GEMINI_MODEL: z.preprocess(blankToUndefined, z.string().default("gemini-2.5-flash")),
  GEMINI_BASE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  CORS_ORIGINS: z.preprocess(blankToUndefined, z.string().optional()),
  CHALLENGER_COUNT: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(10).default(3)),
  LLM_TIMEOUT_MS: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(100).max(120_000).default(15_000),
  ),
  ANALYSIS_INTERVAL_HOURS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(168).default(1)),
  CREDENTIALS_KEY: z.preprocess(
    blankToUndefined,
    z.string().min(32, "CREDENTIALS_KEY must be at least 32 characters").optional(),
  ),
  ADSYNC_LOOKBACK_DAYS: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(30).default(3)),
  META_API_BASE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  GOOGLE_ADS_API_BASE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  GOOGLE_OAUTH_BASE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  TIKTOK_API_BASE_URL: z.preprocess(blankToUndefined, z.url().optional()),
  VAPID_SUBJECT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/, "VAPID_SUBJECT must be a mailto: or https: URL")
      .default("mailto:push@pushbunny.invalid"),
  ),
  PUSH_ALLOWED_HOSTS: z.preprocess(blankToUndefined, z.string().optional()),
  PUSH_ALLOW_LOOPBACK: z.preprocess(blankToUndefined, z.enum(["true", "false"]).optional()),
  METRICS_TOKEN: z.preprocess(
    blankToUndefined,
    z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
  ),
  AUTH_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  ),
  PUBLIC_URL: z.preprocess(blankToUndefined, z.url().optional()),
  GOOGLE_CLIENT_ID: z.preprocess(blankToUndefined, z.string().optional()),
  GOOGLE_CLIENT_SECRET: z.preprocess(blankToUndefined, z.string().optional()),
  GOOGLE_ISSUER: z.preprocess(blankToUndefined, z.url().default("https://accounts.google.com")),
});

/** The seed's `RATE_LIMIT_*` variables, by the route class each configures. */
export const RATE_LIMIT_VARIABLES = {
  message: "RATE_LIMIT_MESSAGE",
  events: "RATE_LIMIT_EVENTS",
  notification: "RATE_LIMIT_NOTIFICATION",
  subscription: "RATE_LIMIT_SUBSCRIPTION",
  analytics: "RATE_LIMIT_ANALYTICS",
  management: "RATE_LIMIT_MANAGEMENT",
  auth: "RATE_LIMIT_AUTH",
  generation: "RATE_LIMIT_GENERATION",
  analysis: "RATE_LIMIT_ANALYSIS",
} as const;

/** Parsed, validated configuration. */
export interface Config {
  environment: "production" | "staging" | "development" | "test";
  isProduction: boolean;
  logLevel: LogLevel;
  trackingSecret: string;
  bootstrapKeys: string[];
  gemini: { apiKey?: string; model: string; baseUrl?: string };
  corsOrigins: "*" | string[];
  challengerCount: number;
  llmTimeoutMs: number;
  /** Minimum hours between two scheduled analyses of one experiment. */
  analysisIntervalHours: number;
  /** Seals ad-channel credentials at rest; null in production until the secret is set. */
  credentialsKey: string | null;
  /** Days the hourly ad sync re-fetches (channels restate recent days as conversions arrive). */
  adsyncLookbackDays: number;
  /** API origins for the ad connectors; unset means the real services. */
  adsyncBaseUrls: { meta?: string; googleAds?: string; googleOAuth?: string; tiktok?: string };
  push: {
    vapidSubject: string;
    /** Push-service hosts subscriptions may point at (suffix match); null: the built-in list. */
    allowedHosts: string[] | null;
    /** http://127.0.0.1 endpoints, for tests and local dev only; never in production. */
    allowLoopback: boolean;
  };
  /** Bearer token for GET /metrics; null: the endpoint answers 404. */
  metricsToken: string | null;
  auth: {
    /** Signs access tokens (HS256); null in production until AUTH_SECRET is set (sessions then 503). */
    secret: string | null;
    /**
     * `iss` of access tokens, and the origin links in mail and the OAuth redirect point at. Null
     * in production and staging until PUBLIC_URL is set (sign-in then answers 503); development
     * and tests default to http://localhost:8787.
     */
    publicUrl: string | null;
    /** Google sign-in; null until GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set. */
    google: { clientId: string; clientSecret: string; issuer: string } | null;
  };
  /** Raw `RATE_LIMIT_*` values by class (`100/hour` form), parsed by the rate limiter. */
  rateLimits: Partial<Record<keyof typeof RATE_LIMIT_VARIABLES, string>>;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

// Only usable outside production: lets `wrangler dev` and tests run with no secret set up.
const DEV_TRACKING_SECRET = "pushbunny-dev-tracking-secret-not-for-production";
const DEV_CREDENTIALS_KEY = "pushbunny-dev-credentials-key-not-for-production";
const DEV_AUTH_SECRET = "pushbunny-dev-auth-secret-not-for-production";
const parsed = new WeakMap<object, Config>();

/** Validates the environment once per isolate; throws ConfigError with every problem listed. */
export function loadConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      `invalid configuration: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  const c = result.data;
  const isProduction = c.ENVIRONMENT === "production" || c.ENVIRONMENT === "staging";
  if (isProduction && !c.TRACKING_SECRET) {
    throw new ConfigError("TRACKING_SECRET is required in production (wrangler secret put TRACKING_SECRET)");
  }
  const origins = (c.CORS_ORIGINS ?? (isProduction ? "" : "*"))
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  const config: Config = {
    environment: c.ENVIRONMENT,
    isProduction,
    logLevel: c.LOG_LEVEL,
    trackingSecret: c.TRACKING_SECRET ?? DEV_TRACKING_SECRET,
    bootstrapKeys: (c.API_KEYS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    gemini: { apiKey: c.GEMINI_API_KEY, model: c.GEMINI_MODEL, baseUrl: c.GEMINI_BASE_URL },
    corsOrigins: origins.includes("*") ? "*" : origins,
    challengerCount: c.CHALLENGER_COUNT,
    llmTimeoutMs: c.LLM_TIMEOUT_MS,
    analysisIntervalHours: c.ANALYSIS_INTERVAL_HOURS,
    credentialsKey: c.CREDENTIALS_KEY ?? (isProduction ? null : DEV_CREDENTIALS_KEY),
    adsyncLookbackDays: c.ADSYNC_LOOKBACK_DAYS,
    push: {
      vapidSubject: c.VAPID_SUBJECT,
      allowedHosts: c.PUSH_ALLOWED_HOSTS
        ? c.PUSH_ALLOWED_HOSTS.split(",")
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean)
        : null,
      allowLoopback: !isProduction && c.PUSH_ALLOW_LOOPBACK !== "false",
    },
    metricsToken: c.METRICS_TOKEN ?? null,
    auth: {
      secret: c.AUTH_SECRET ?? (isProduction ? null : DEV_AUTH_SECRET),
      publicUrl: c.PUBLIC_URL
        ? c.PUBLIC_URL.replace(/\/+$/, "")
        : isProduction
          ? null
          : "http://localhost:8787",
      google:
        c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET
          ? { clientId: c.GOOGLE_CLIENT_ID, clientSecret: c.GOOGLE_CLIENT_SECRET, issuer: c.GOOGLE_ISSUER }
          : null,
    },
    rateLimits: Object.fromEntries(
      Object.entries(RATE_LIMIT_VARIABLES)
        .map(([cls, name]) => [cls, (env as unknown as Record<string, unknown>)[name]])
        .filter((e): e is [string, string] => typeof e[1] === "string" && e[1].trim() !== ""),
    ),
    adsyncBaseUrls: {
      ...(c.META_API_BASE_URL ? { meta: c.META_API_BASE_URL } : {}),
      ...(c.GOOGLE_ADS_API_BASE_URL ? { googleAds: c.GOOGLE_ADS_API_BASE_URL } : {}),
      ...(c.GOOGLE_OAUTH_BASE_URL ? { googleOAuth: c.GOOGLE_OAUTH_BASE_URL } : {}),
      ...(c.TIKTOK_API_BASE_URL ? { tiktok: c.TIKTOK_API_BASE_URL } : {}),
    },
  };
  // A typo in a RATE_LIMIT_* variable fails loudly, like every other variable, rather than
  // silently leaving the default in force.
  const limitProblems = rateLimitVariableProblems(config.rateLimits, RATE_LIMIT_VARIABLES);
  if (limitProblems.length > 0) throw new ConfigError(`invalid configuration: ${limitProblems.join("; ")}`);
  parsed.set(env, config);
  return config;
}
