import { fnv1a32, placeholdersOf, sha256Hex, thompsonWeights } from "@pushbunny/core";
import {
  type AllocationRow,
  countsFromAggregates,
  type ExperimentRow,
  type ExperimentWithVariants,
  findExperiment,
  findExperimentByIntent,
  insertAllocation,
  latestAllocation,
  type Strategy,
  type VariantRow,
} from "@pushbunny/db";
import type { AppContext } from "../context";
import { TtlCache } from "./ttl-cache";

/**
 * Everything the hot path needs to pick a variant — the arms, their traffic shares and the
 * allocation version impressions record — built from D1 and cached in KV and isolate memory.
 */
export interface Pool {
  v: 2;
  projectId: string;
  experimentId: string;
  intentId: string;
  locale: string;
  status: "running" | "paused";
  strategy: Strategy;
  generation: { status: "pending" | "ready" | "failed"; error: string | null };
  /** Arms that share the traffic, control first; a promoted winner alone; the control alone when paused. */
  variants: PoolVariant[];
  /** Each arm's share of the non-holdout traffic, aligned with `variants`, summing to 1. */
  weights: number[];
  /** The control: served when a challenger cannot be rendered. */
  control: PoolVariant;
  holdout: { variantId: string; share: number } | null;
  /** Version of the split in force (allocations table); impressions carry it for the SRM test. */
  allocation: number;
  builtAt: number;
}

export interface PoolVariant {
  id: string;
  text: string;
  source: "control" | "llm" | "manual" | "holdout";
  /** Context keys the text's `{{placeholders}}` need. */
  needs: string[];
}

export interface PoolKey {
  projectId: string;
  intentId: string;
  locale: string;
}

// Other isolates learn about pool changes through KV; the isolate copy is kept short so a
// new challenger or a fresh Thompson split reaches every isolate within seconds of KV.
const ISOLATE_TTL_MS = 10_000;
// A safety net only: pools are rewritten whenever their variants or weights change.
const KV_TTL_SECONDS = 6 * 3600;
const isolatePools = new TtlCache<Pool>(ISOLATE_TTL_MS);
// Weights that differ by less than this are the same split: no new allocation period.
const SAME_WEIGHT = 1e-9;

/** The isolate cache's key: any string works in memory, so no hashing on the warm path. */
function memoryKey(key: PoolKey): string {
  return `${key.projectId}\u0000${key.locale}\u0000${key.intentId}`;
}

/**
 * The KV key of a pool. Intent ids are free text (up to 128 characters of any script, so up to
 * 512 UTF-8 bytes, over KV's key limit), so the key is a digest, never the text itself; a
 * loaded pool is checked against the intent and locale it was asked for.
 */
export async function poolKvKey(key: PoolKey): Promise<string> {
  return `pool:v3:${key.projectId}:${await sha256Hex(`${key.locale}\u0000${key.intentId}`)}`;
}

const samePool = (pool: Pool, key: PoolKey) =>
  pool.projectId === key.projectId && pool.intentId === key.intentId && pool.locale === key.locale;

const toPoolVariant = (v: VariantRow): PoolVariant => ({
  id: v.id,
  text: v.text,
  source: v.source,
  needs: placeholdersOf(v.text),
});

/** The arms that share traffic now, control first (creation order otherwise). */
export function servingArms(experiment: ExperimentRow, variants: VariantRow[]): VariantRow[] {
  const control = variants.find((v) => v.source === "control");
  if (!control) return [];
  if (experiment.status === "paused") return [control];
  const winner = experiment.winnerVariantId
    ? variants.find((v) => v.id === experiment.winnerVariantId && v.status !== "retired")
    : undefined;
  if (winner) return [winner];
  return variants.filter((v) => v.source !== "holdout" && v.status !== "retired");
}

/** Each arm's share: equal unless Thompson has posteriors to weigh them by. */
async function armWeights(ctx: AppContext, experiment: ExperimentRow, arms: VariantRow[]): Promise<number[]> {
  if (arms.length <= 1) return arms.map(() => 1);
  if (experiment.kind === "web") return webWeights(ctx, experiment, arms);
  if (experiment.strategy !== "thompson") return arms.map(() => 1 / arms.length);
  const counts = await countsFromAggregates(ctx.db, {
    projectId: experiment.projectId,
    experimentIds: [experiment.id],
  });
  const byId = new Map(counts.map((c) => [c.variantId, c]));
  const posteriors = arms.map((a) => {
    const c = byId.get(a.id);
    const impressions = c?.impressions ?? 0;
    const successes = experiment.goalMetric === "conversion" ? (c?.conversions ?? 0) : (c?.opens ?? 0);
    return { impressions, successes: Math.min(successes, impressions) };
  });
  const total = posteriors.reduce((s, p) => s + p.impressions, 0);
  return thompsonWeights(posteriors, {
    burnIn: experiment.minSample,
    floor: experiment.trafficFloor,
    // At most one refresh per experiment per 30 s, so the Worker can afford the full 10,000.
    draws: 10_000,
    // Same counts, same split: a republish with no new data opens no new period.
    seed: fnv1a32(`${experiment.id}:${total}`),
  });
}

// A web experiment's split is the tenant's traffic per segment, recorded as its newest
// allocation by services/web-experiments; the pool keeps it rather than recomputing it.
async function webWeights(ctx: AppContext, experiment: ExperimentRow, arms: VariantRow[]): Promise<number[]> {
  const latest = await latestAllocation(ctx.db, experiment.projectId, experiment.id);
  const raw = arms.map((a) => latest?.weights[a.id] ?? 0);
  const total = raw.reduce((s, w) => s + w, 0);
  return total > 0 ? raw.map((w) => w / total) : arms.map(() => 1 / arms.length);
}

/** Full traffic shares (holdout included) keyed by variant id, as recorded per allocation. */
function shares(arms: VariantRow[], weights: number[], holdout: Pool["holdout"]): Record<string, number> {
  const out: Record<string, number> = {};
  const armShare = 1 - (holdout?.share ?? 0);
  arms.forEach((a, i) => {
    out[a.id] = armShare * (weights[i] ?? 0);
  });
  if (holdout) out[holdout.variantId] = holdout.share;
  return out;
}

function sameShares(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => b[k] !== undefined && Math.abs((a[k] ?? 0) - (b[k] ?? 0)) < SAME_WEIGHT);
}

/**
 * Builds the pool from D1 rows, records a new allocation period when the split changed, and
 * publishes the pool to KV and this isolate. Call after anything about the experiment changes.
 */
export async function publishPool(ctx: AppContext, found: ExperimentWithVariants): Promise<Pool | null> {
  const { experiment, variants } = found;
  const arms = servingArms(experiment, variants);
  const controlRow = variants.find((v) => v.source === "control");
  if (!controlRow || arms.length === 0) return null;
  const holdoutRow = variants.find((v) => v.source === "holdout");
  const holdout =
    experiment.status === "running" && holdoutRow && experiment.holdoutShare > 0
      ? { variantId: holdoutRow.id, share: experiment.holdoutShare }
      : null;
  const weights = await armWeights(ctx, experiment, arms);
  const now = ctx.now();

  const split = shares(arms, weights, holdout);
  const latest = await latestAllocation(ctx.db, experiment.projectId, experiment.id);
  const same = (period: AllocationRow) =>
    period.strategy === experiment.strategy && sameShares(period.weights, split);
  const allocation =
    latest && same(latest)
      ? latest.version
      : await insertAllocation(ctx.db, {
          projectId: experiment.projectId,
          experimentId: experiment.id,
          strategy: experiment.strategy,
          weights: split,
          now,
          after: latest?.version ?? null,
          sameAs: same,
        });

  const pool: Pool = {
    v: 2,
    projectId: experiment.projectId,
    experimentId: experiment.id,
    intentId: experiment.intentId,
    locale: experiment.locale,
    status: experiment.status,
    strategy: experiment.strategy,
    generation: { status: experiment.generationStatus, error: experiment.generationError },
    variants: arms.map(toPoolVariant),
    weights,
    control: toPoolVariant(controlRow),
    holdout,
    allocation,
    builtAt: now,
  };
  isolatePools.set(memoryKey(experiment), pool, now);
  await ctx.kv.put(await poolKvKey(experiment), JSON.stringify(pool), { expirationTtl: KV_TTL_SECONDS });
  return pool;
}

/** The pool for (project, intent, locale): isolate memory, then KV, then D1. Null if none exists. */
export async function loadPool(ctx: AppContext, key: PoolKey): Promise<Pool | null> {
  const memKey = memoryKey(key);
  const now = ctx.now();
  const cached = isolatePools.get(memKey, now);
  if (cached) return cached;
  const fromKv = await ctx.kv.get<Pool>(await poolKvKey(key), "json");
  if (fromKv && fromKv.v === 2 && samePool(fromKv, key)) {
    isolatePools.set(memKey, fromKv, now);
    return fromKv;
  }
  return refreshPool(ctx, key);
}

/** Rebuilds a pool from D1 by its natural key and publishes it. */
export async function refreshPool(ctx: AppContext, key: PoolKey): Promise<Pool | null> {
  const found = await findExperimentByIntent(ctx.db, key);
  if (!found) {
    isolatePools.delete(memoryKey(key));
    return null;
  }
  return publishPool(ctx, found);
}

/** Rebuilds a pool from D1 by experiment id and publishes it. */
export async function refreshExperimentPool(
  ctx: AppContext,
  projectId: string,
  experimentId: string,
): Promise<Pool | null> {
  const found = await findExperiment(ctx.db, projectId, experimentId);
  return found ? publishPool(ctx, found) : null;
}

/** Drops this isolate's cached pools (tests, and after bulk changes). */
export function clearIsolatePools(): void {
  isolatePools.clear();
}
