import { findProjectLimits, type LimitOverrides } from "@pushbunny/db";
import type { AppContext } from "../context";
import type { Config } from "../env";
import { TtlCache } from "../infra/ttl-cache";
import { deploymentLimits, effectiveLimits, type LimitName, type LimitTable } from "./rules";

// A project's limits as the edge knows them: isolate memory (60 s), then KV, then D1. A warm
// request reads a Map; D1 is read at most once per KV lifetime per project. A change is written
// through KV and drops this isolate's copy at once; other isolates see it within their TTL
// plus KV's propagation (about two minutes at worst).
const ISOLATE_TTL_MS = 60_000;
const KV_TTL_SECONDS = 3_600;
const kvKey = (projectId: string) => `limits:v1:${projectId}`;

interface Cached {
  overrides: Partial<Record<LimitName, string>> | null;
  deployment: LimitTable;
  table: LimitTable;
}

const isolate = new TtlCache<Cached>(ISOLATE_TTL_MS);

const tableFor = (config: Config, overrides: Cached["overrides"]): Cached => {
  const deployment = deploymentLimits(config.rateLimits);
  return { overrides, deployment, table: effectiveLimits(deployment, overrides) };
};

/** The project's table when this isolate holds it: the warm path, no I/O. */
export function cachedProjectLimits(config: Config, projectId: string, now: number): LimitTable | undefined {
  const hit = isolate.get(projectId, now);
  if (!hit) return undefined;
  // The configuration object is per environment; a different one (tests) recomputes.
  return hit.deployment === deploymentLimits(config.rateLimits) ? hit.table : undefined;
}

/** The project's effective limits: its overrides over the deployment's values. */
export async function projectLimits(ctx: AppContext, projectId: string): Promise<LimitTable> {
  return (
    cachedProjectLimits(ctx.config, projectId, ctx.now()) ?? (await loadProjectLimits(ctx, projectId)).table
  );
}

/** The project's overrides as stored (KV, then D1), cached in the isolate. */
export async function projectOverrides(
  ctx: AppContext,
  projectId: string,
): Promise<Partial<Record<LimitName, string>> | null> {
  return (await loadProjectLimits(ctx, projectId)).overrides;
}

async function loadProjectLimits(ctx: AppContext, projectId: string): Promise<Cached> {
  const now = ctx.now();
  const hit = isolate.get(projectId, now);
  if (hit && hit.deployment === deploymentLimits(ctx.config.rateLimits)) return hit;
  const fromKv = await ctx.kv.get<{ limits: LimitOverrides | null }>(kvKey(projectId), "json");
  let overrides: LimitOverrides | null;
  if (fromKv && typeof fromKv === "object" && "limits" in fromKv) {
    overrides = fromKv.limits;
  } else {
    overrides = (await findProjectLimits(ctx.db, projectId)) ?? null;
    ctx.waitUntil(
      ctx.kv
        .put(kvKey(projectId), JSON.stringify({ limits: overrides }), { expirationTtl: KV_TTL_SECONDS })
        .catch((err: unknown) =>
          ctx.logger.warn("limits cache write failed", { projectId, error: String(err) }),
        ),
    );
  }
  const cached = tableFor(ctx.config, overrides);
  isolate.set(projectId, cached, now);
  return cached;
}

/** After a change: KV gets the new overrides and this isolate forgets its copy. */
export async function publishProjectLimits(
  ctx: AppContext,
  projectId: string,
  overrides: LimitOverrides | null,
): Promise<void> {
  isolate.delete(projectId);
  await ctx.kv.put(kvKey(projectId), JSON.stringify({ limits: overrides }), {
    expirationTtl: KV_TTL_SECONDS,
  });
}

/** Drops every cached project table (tests). */
export function clearProjectLimits(): void {
  isolate.clear();
}
