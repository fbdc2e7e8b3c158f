import { findLiveProject } from "@pushbunny/db";
import type { AppContext } from "../context";
import { TtlCache } from "./ttl-cache";

/** What keyless POST /v1/metrics needs to know about the project a variant id names. */
export interface MetricsPolicy {
  /** False once the project is deleted: its metrics are dropped. */
  live: boolean;
  requireKey: boolean;
}

// Isolate memory (60 s), then KV, then D1. Only a change writes KV (with the value D1 now
// holds); a read never does, so a read racing a change can never put the old value back for
// the KV entry's lifetime. A project never changed costs one D1 read per isolate a minute.
const ISOLATE_TTL_MS = 60_000;
const KV_TTL_SECONDS = 3_600;
const kvKey = (projectId: string) => `metrics-policy:v1:${projectId}`;
const isolate = new TtlCache<MetricsPolicy>(ISOLATE_TTL_MS);

const isPolicy = (v: unknown): v is MetricsPolicy =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as MetricsPolicy).live === "boolean" &&
  typeof (v as MetricsPolicy).requireKey === "boolean";

/** The project's metrics policy, from the nearest cache. */
export async function metricsPolicy(ctx: AppContext, projectId: string): Promise<MetricsPolicy> {
  const now = ctx.now();
  const hit = isolate.get(projectId, now);
  if (hit) return hit;
  const fromKv = await ctx.kv.get<unknown>(kvKey(projectId), "json");
  let policy: MetricsPolicy;
  if (isPolicy(fromKv)) {
    policy = { live: fromKv.live, requireKey: fromKv.requireKey };
  } else {
    const project = await findLiveProject(ctx.db, projectId);
    policy = { live: project !== null, requireKey: project?.metricsRequireKey ?? false };
  }
  isolate.set(projectId, policy, now);
  return policy;
}

/** After a change (the setting, or a deleted project): KV gets the new policy, this isolate forgets. */
export async function publishMetricsPolicy(
  ctx: AppContext,
  projectId: string,
  policy: MetricsPolicy,
): Promise<void> {
  isolate.delete(projectId);
  await ctx.kv.put(kvKey(projectId), JSON.stringify(policy), { expirationTtl: KV_TTL_SECONDS });
}
