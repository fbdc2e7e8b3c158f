// The shared definitions and stand-ins of the web experiments' suites.
import { env } from "cloudflare:workers";
import type { AppContext } from "../../src/context";
import { buildContext } from "../../src/infra/build-context";
import type { ImpressionMessage } from "../../src/queue/messages";
import { call, json } from "../helpers";

export interface WebView {
  key: string;
  experiment_id: string;
  status: string;
  status_reason: string | null;
  segments: { key: string; name: string; traffic_percent: number; description: string; variant_id: string }[];
  preview_links: { segment: string; url: string }[];
  activated_at: string | null;
  finished_at: string | null;
}

export interface ResultsView {
  experiment_id: string;
  segments: {
    key: string;
    exposures: number;
    primary: { conversions: number; rate: number; p_best: number; ci95: { low: number; high: number } };
    secondary: { metric: string; count: number; rate: number }[];
  }[];
  srm: { p_value: number; alarm: boolean } | null;
}

export const SEGMENTS = [
  { key: "control", name: "Today's button", traffic_percent: 20, description: "as it is" },
  { key: "green", name: "Green button", traffic_percent: 30, description: "green CTA" },
  { key: "big", name: "Big button", traffic_percent: 50, description: "larger CTA" },
];

export function definition(key: string, overrides: Record<string, unknown> = {}) {
  return {
    key,
    hypothesis: "A louder call to action gets more sign-ups",
    target_type: "page",
    target: "/pricing",
    segments: SEGMENTS,
    primary_metric: "signup",
    secondary_metrics: ["add_to_cart", "scroll.50"],
    preview_url: "https://staging.example.com/pricing",
    ...overrides,
  };
}

export async function create(apiKey: string, key: string, overrides: Record<string, unknown> = {}) {
  return json<WebView>(
    await call("/v1/web-experiments", { key: apiKey, body: definition(key, overrides) }),
    201,
  );
}

export async function activate(apiKey: string, key: string) {
  return json<WebView>(
    await call(`/v1/web-experiments/${key}/activate`, { key: apiKey, method: "POST", body: {} }),
    200,
  );
}

export async function expose(apiKey: string, experiment: string, anonymousId: string) {
  return json<{ experiment: string; segment: string; tracking_token: string }>(
    await call("/v1/web/exposures", { key: apiKey, body: { experiment, anonymous_id: anonymousId } }),
    200,
  );
}

export async function results(apiKey: string, key: string) {
  return json<ResultsView>(await call(`/v1/web-experiments/${key}/results`, { key: apiKey }), 200);
}

/** A context whose events queue only collects what it is sent (no consumer runs). */
export function collectingContext(overrides: Partial<AppContext> = {}) {
  const sent: ImpressionMessage[] = [];
  const base = buildContext(env, () => {});
  const ctx: AppContext = {
    ...base,
    queues: {
      ...base.queues,
      events: {
        send: async (body: unknown) => {
          sent.push(body as ImpressionMessage);
        },
      } as unknown as Queue<unknown>,
    },
    ...overrides,
  };
  return { ctx, sent };
}

/** A D1 client that throws on any use: proof that a path never touches D1. */
export const NO_D1 = new Proxy(
  {},
  {
    get(_t, prop) {
      throw new Error(`D1 touched (db.${String(prop)})`);
    },
  },
) as AppContext["db"];
