import { placeholdersOf } from "@pushbunny/core";
import { type ExperimentWithVariants, findExperimentByIntent } from "@pushbunny/db";
import { TtlCache } from "../cache";
import type { AppContext } from "../context";

/** What the hot path needs to pick a variant: built from D1, cached in KV and isolate memory. */
export interface Pool {
  v: 1;
  projectId: string;
  experimentId: string;
  intentId: string;
  locale: string;
  status: "running" | "paused";
  generation: { status: "pending" | "ready" | "failed"; error: string | null };
  /** Active variants in rotation order (control first). */
  variants: PoolVariant[];
  builtAt: number;
}

export interface PoolVariant {
  id: string;
  text: string;
  source: "control" | "llm" | "manual";
  /** Context keys the text's `{{placeholders}}` need. */
  needs: string[];
}

export interface PoolKey {
  projectId: string;
  intentId: string;
  locale: string;
}

// Other isolates learn about pool changes through KV; the isolate copy is kept short so a
// new challenger reaches every isolate within seconds of KV catching up.
const ISOLATE_TTL_MS = 10_000;
// A safety net only: pools are rewritten whenever their variants change.
const KV_TTL_SECONDS = 6 * 3600;
const isolatePools = new TtlCache<Pool>(ISOLATE_TTL_MS);

/** The KV key of a pool; intent ids are free text, so they are URI-encoded. */
export function poolKvKey(key: PoolKey): string {
  return `pool:v1:${key.projectId}:${encodeURIComponent(key.locale)}:${encodeURIComponent(key.intentId)}`;
}

/** Builds the cacheable pool from D1 rows. */
export function poolFromRows(found: ExperimentWithVariants, now: number): Pool {
  const { experiment } = found;
  return {
    v: 1,
    projectId: experiment.projectId,
    experimentId: experiment.id,
    intentId: experiment.intentId,
    locale: experiment.locale,
    status: experiment.status,
    generation: { status: experiment.generationStatus, error: experiment.generationError },
    variants: found.variants
      .filter((v) => v.status !== "retired")
      .map((v) => ({ id: v.id, text: v.text, source: v.source, needs: placeholdersOf(v.text) })),
    builtAt: now,
  };
}

/** The pool for (project, intent, locale): isolate memory, then KV, then D1. Null if none exists. */
export async function loadPool(ctx: AppContext, key: PoolKey): Promise<Pool | null> {
  const kvKey = poolKvKey(key);
  const now = ctx.now();
  const cached = isolatePools.get(kvKey, now);
  if (cached) return cached;
  const fromKv = await ctx.kv.get<Pool>(kvKey, "json");
  if (fromKv && fromKv.v === 1) {
    isolatePools.set(kvKey, fromKv, now);
    return fromKv;
  }
  return refreshPool(ctx, key);
}

/** Rebuilds a pool from D1 and publishes it to KV and this isolate (call after variants change). */
export async function refreshPool(ctx: AppContext, key: PoolKey): Promise<Pool | null> {
  const kvKey = poolKvKey(key);
  const found = await findExperimentByIntent(ctx.db, key);
  if (!found) {
    isolatePools.delete(kvKey);
    return null;
  }
  const pool = poolFromRows(found, ctx.now());
  isolatePools.set(kvKey, pool, ctx.now());
  await ctx.kv.put(kvKey, JSON.stringify(pool), { expirationTtl: KV_TTL_SECONDS });
  return pool;
}

/** Drops this isolate's cached pools (tests, and after bulk changes). */
export function clearIsolatePools(): void {
  isolatePools.clear();
}
