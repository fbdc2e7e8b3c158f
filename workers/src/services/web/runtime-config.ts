import { activeWebExperiments, recentAllocations, type WebExperimentRow } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { TtlCache } from "../../infra/ttl-cache";

/** How often the SDK should fetch the config again. */
export const REFRESH_SECONDS = 300;

/** One active web experiment as the runtime endpoints need it, with no D1 read. */
export interface RuntimeExperiment {
  key: string;
  experimentId: string;
  segments: { key: string; trafficPercent: number; variantId: string }[];
  primaryMetric: string;
  secondaryMetrics: string[];
  /** The allocation version exposures are recorded under (the SRM test's period). */
  allocation: number | null;
}

/** A project's active web experiments: what GET /v1/web/experiments serves and exposures check. */
export interface RuntimeConfig {
  v: 1;
  projectId: string;
  experiments: RuntimeExperiment[];
  builtAt: number;
}

// Rewritten on every change of a web experiment; the TTL is a safety net only.
const KV_TTL_SECONDS = 24 * 3600;
// Other isolates see a change through KV within this.
const ISOLATE_TTL_MS = 10_000;
const isolateConfigs = new TtlCache<RuntimeConfig>(ISOLATE_TTL_MS);

export const runtimeConfigKvKey = (projectId: string) => `webcfg:v1:${projectId}`;

const SAME_WEIGHT = 1e-9;

/**
 * The allocation exposures are recorded under: the newest period whose weights are the
 * segments' traffic. A pause or a winner set through /v1/experiments republishes the pool with
 * another split, which the web runtime never serves, so the SRM test must not expect it.
 */
async function segmentAllocation(ctx: AppContext, row: WebExperimentRow): Promise<number | null> {
  const periods = await recentAllocations(ctx.db, row.projectId, row.experimentId);
  const split = row.segments.map((s) => [s.variantId, s.trafficPercent / 100] as const);
  const matching = periods.find(
    (p) =>
      Object.keys(p.weights).length === split.length &&
      split.every(([id, w]) => Math.abs((p.weights[id] ?? -1) - w) < SAME_WEIGHT),
  );
  return (matching ?? periods[0])?.version ?? null;
}

async function toRuntime(ctx: AppContext, row: WebExperimentRow): Promise<RuntimeExperiment> {
  const allocation = await segmentAllocation(ctx, row);
  return {
    key: row.key,
    experimentId: row.experimentId,
    segments: row.segments.map((s) => ({
      key: s.key,
      trafficPercent: s.trafficPercent,
      variantId: s.variantId,
    })),
    primaryMetric: row.primaryMetric,
    secondaryMetrics: row.secondaryMetrics,
    allocation,
  };
}

/** Rebuilds the project's runtime config from D1 and writes it to KV and this isolate. */
export async function publishRuntimeConfig(ctx: AppContext, projectId: string): Promise<RuntimeConfig> {
  const rows = await activeWebExperiments(ctx.db, projectId);
  const config: RuntimeConfig = {
    v: 1,
    projectId,
    experiments: await Promise.all(rows.map((r) => toRuntime(ctx, r))),
    builtAt: ctx.now(),
  };
  isolateConfigs.set(projectId, config, ctx.now());
  await ctx.kv.put(runtimeConfigKvKey(projectId), JSON.stringify(config), { expirationTtl: KV_TTL_SECONDS });
  return config;
}

/** The runtime config: isolate memory, then KV, then D1 (which also rewrites KV). */
export async function loadRuntimeConfig(ctx: AppContext, projectId: string): Promise<RuntimeConfig> {
  const now = ctx.now();
  const cached = isolateConfigs.get(projectId, now);
  if (cached) return cached;
  const fromKv = await ctx.kv.get<RuntimeConfig>(runtimeConfigKvKey(projectId), "json");
  if (fromKv && fromKv.v === 1 && fromKv.projectId === projectId) {
    isolateConfigs.set(projectId, fromKv, now);
    return fromKv;
  }
  return publishRuntimeConfig(ctx, projectId);
}

/** Drops this isolate's copies (tests simulate another isolate with it). */
export function clearIsolateRuntimeConfigs(): void {
  isolateConfigs.clear();
}
