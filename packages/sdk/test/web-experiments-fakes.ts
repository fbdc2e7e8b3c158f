// Web experiments: experiment(key) and track(name) against a fake Worker that answers the
// /v1/web/* contract the way the real one does (its segment from the shared hash, one token per
// (experiment, visitor)), with fake timers for the queue's schedule.
import { afterEach, beforeEach, vi } from "vitest";
import { assignSegment } from "../../core/src/web-assignment";
import type { PushBunnyError } from "../src/core/errors";
import type { Storage } from "../src/core/storage";
import type { WebExperiment } from "../src/core/types";
import { createClient } from "../src/index";
import { failure, fakeServer, ok, type Seen } from "./helpers";

const BASE = "https://edge.test";
export const KEY = "pb_test_key";
export const NOW = Date.parse("2026-12-06T12:00:00Z");

/** Fake timers at NOW for the queue's schedule; each test file registers its own. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}

export const HERO: WebExperiment = {
  key: "hero",
  segments: [
    { key: "control", traffic_percent: 50 },
    { key: "bold", traffic_percent: 50 },
  ],
  metrics: ["signup", "scroll"],
};
export const PRICING: WebExperiment = {
  key: "pricing",
  segments: [
    { key: "monthly", traffic_percent: 30 },
    { key: "annual", traffic_percent: 70 },
  ],
  metrics: ["checkout", "signup"],
};
const NAV: WebExperiment = {
  key: "nav",
  segments: [{ key: "a", traffic_percent: 100 }],
  metrics: ["click"],
};

export const assign = (e: WebExperiment, id: string) =>
  assignSegment(
    e.key,
    id,
    e.segments.map((s) => ({ key: s.key, trafficPercent: s.traffic_percent })),
  );
export const tokenOf = (experiment: string, id: string) => `wtk.${experiment}.${id}`;

interface WorkerState {
  experiments: WebExperiment[];
  /** Answers instead of the normal one: "network", or a status for the path. */
  down: boolean;
  exposureStatus?: number;
  /** A segment the server answers regardless of the hash (to prove its answer wins). */
  forceSegment?: string;
  /** Event names the server refuses in POST /v1/web/events. */
  refuse: Set<string>;
  /** `experiment anonymous_id` of every exposure answered 200. */
  answered: string[];
}

/** A fake Worker with the /v1/web/* routes, /v1/events, and a switch to go offline. */
export function worker(experiments: WebExperiment[] = [HERO, PRICING, NAV]) {
  const state: WorkerState = { experiments, down: false, refuse: new Set(), answered: [] };
  const server = fakeServer([
    (req: Seen) => {
      if (state.down) return "network";
      const path = new URL(req.url).pathname;
      if (path === "/v1/web/experiments") return ok({ experiments: state.experiments, refresh_seconds: 300 });
      if (path === "/v1/web/exposures") {
        if (state.exposureStatus) return failure(state.exposureStatus, {}, "CONFLICT");
        const { experiment, anonymous_id } = req.body as { experiment: string; anonymous_id: string };
        const e = state.experiments.find((x) => x.key === experiment);
        if (!e) return failure(404, {}, "NOT_FOUND");
        state.answered.push(`${experiment} ${anonymous_id}`);
        return ok({
          experiment,
          segment: state.forceSegment ?? assign(e, anonymous_id),
          tracking_token: tokenOf(experiment, anonymous_id),
        });
      }
      if (path === "/v1/web/events") {
        const events = (req.body as { events: { event: string }[] }).events;
        const rejected = events.flatMap((e, index) =>
          state.refuse.has(e.event)
            ? [{ index, reason: `event '${e.event}' is not a metric of this experiment` }]
            : [],
        );
        return ok({ recorded: events.length - rejected.length, total: events.length, rejected });
      }
      if (path === "/v1/events") return ok();
      return failure(404, {}, "NOT_FOUND");
    },
  ]);
  const at = (path: string) => server.seen.filter((r) => new URL(r.url).pathname === path);
  return {
    state,
    fetch: server.fetch,
    seen: server.seen,
    configs: () => at("/v1/web/experiments"),
    exposures: () =>
      at("/v1/web/exposures").map((r) => r.body as { experiment: string; anonymous_id: string }),
    webEvents: () =>
      at("/v1/web/events").flatMap(
        (r) =>
          (
            r.body as {
              events: { tracking_token: string; event: string; timestamp: number; properties?: object }[];
            }
          ).events,
      ),
    events: () => at("/v1/events"),
  };
}

export const client = (
  w: ReturnType<typeof worker>,
  storage: Storage,
  extra: { userId?: string; onError?: (e: PushBunnyError) => void } = {},
) =>
  createClient({
    baseUrl: BASE,
    apiKey: KEY,
    fetch: w.fetch,
    storage,
    flushIntervalMs: 1000,
    random: () => 0.5,
    ...extra,
  });

export const anonymousId = async (storage: Storage) =>
  (await storage.getItem("pushbunny:anonymous_id")) ?? "";
