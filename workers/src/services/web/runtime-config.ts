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

// Other isolates see a change through KV within this.
const ISOLATE_TTL_MS = 10_000;
const isolateConfigs = new TtlCache<RuntimeConfig>(ISOLATE_TTL_MS);
// A transition's write is checked against D1 again this many times at most (see publish).
const PUBLISH_ATTEMPTS = 3;

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

/** The project's runtime config as D1 has it now. Writes nothing. */
export async function buildRuntimeConfig(ctx: AppContext, projectId: string): Promise<RuntimeConfig> {
  const rows = await activeWebExperiments(ctx.db, projectId);
  return {
    v: 1,
    projectId,
    experiments: await Promise.all(rows.map((r) => toRuntime(ctx, r))),
    builtAt: ctx.now(),
  };
}

const sameExperiments = (a: RuntimeConfig, b: RuntimeConfig) =>
  JSON.stringify(a.experiments) === JSON.stringify(b.experiments);

/**
 * Writes the project's runtime config to KV and this isolate. Only the status transitions call
 * it: a reader that wrote what it had read could land after a transition's write and bring back
 * an experiment that was just finished. Two transitions of one project can race the same way
 * (each read D1 before the other's change), so after its write a transition reads D1 again and
 * writes once more if the set changed: whichever write is last was checked against D1 after it.
 * The KV entry does not expire, because readers never rebuild it.
 */
export async function publishRuntimeConfig(ctx: AppContext, projectId: string): Promise<RuntimeConfig> {
  let config = await buildRuntimeConfig(ctx, projectId);
  for (let attempt = 1; ; attempt++) {
    await ctx.kv.put(runtimeConfigKvKey(projectId), JSON.stringify(config));
    if (attempt === PUBLISH_ATTEMPTS) break;
    const check = await buildRuntimeConfig(ctx, projectId);
    if (sameExperiments(check, config)) break;
    config = check;
  }
  isolateConfigs.set(projectId, config, ctx.now());
  return config;
}

/**
 * Drops the KV copy and this isolate's, so readers rebuild from D1: what a transition does when
 * it could not write the new config (a stale copy would outlive it, since readers never write).
 */
export async function forgetRuntimeConfig(ctx: AppContext, projectId: string): Promise<void> {
  isolateConfigs.delete(projectId);
  await ctx.kv.delete(runtimeConfigKvKey(projectId));
}

/**
 * The config rebuilt from D1 for this isolate alone (an experiment the cached copy does not
 * list yet). Never written to KV: see publishRuntimeConfig.
 */
export async function reloadRuntimeConfig(ctx: AppContext, projectId: string): Promise<RuntimeConfig> {
  const config = await buildRuntimeConfig(ctx, projectId);
  isolateConfigs.set(projectId, config, ctx.now());
  return config;
}

/**
 * The runtime config: isolate memory, then KV, then D1. The public routes read through here and
 * never write KV; with no KV entry yet (no transition published one) D1 answers, cached in this
 * isolate only.
 */
export async function loadRuntimeConfig(ctx: AppContext, projectId: string): Promise<RuntimeConfig> {
  const now = ctx.now();
  const cached = isolateConfigs.get(projectId, now);
  if (cached) return cached;
  const fromKv = await ctx.kv.get<RuntimeConfig>(runtimeConfigKvKey(projectId), "json");
  if (fromKv && fromKv.v === 1 && fromKv.projectId === projectId) {
    isolateConfigs.set(projectId, fromKv, now);
    return fromKv;
  }
  return reloadRuntimeConfig(ctx, projectId);
}

/** Drops this isolate's copies (tests simulate another isolate with it). */
export function clearIsolateRuntimeConfigs(): void {
  isolateConfigs.clear();
}
