import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type AllocationRow, allocations, type Strategy, variantAllocationStats } from "../schema";
import { inJsonList } from "./in-list";

/** The newest allocation of an experiment, or null before the first publication. */
export async function latestAllocation(
  db: Db,
  projectId: string,
  experimentId: string,
): Promise<AllocationRow | null> {
  const [row] = await db
    .select()
    .from(allocations)
    .where(and(eq(allocations.projectId, projectId), eq(allocations.experimentId, experimentId)))
    .orderBy(desc(allocations.version))
    .limit(1);
  return row ?? null;
}

/**
 * Records a new split and returns its version. Versions are start times in ms, bumped past the
 * previous one, so they order periods. Racing publishers (a hundred first requests for one new
 * intent) cannot both take a version: the loser re-reads the newest period and, when it is the
 * split it wanted to record, uses it; otherwise it takes the next version. Bounded, and each
 * lost round means another publisher made progress.
 */
export async function insertAllocation(
  db: Db,
  input: {
    projectId: string;
    experimentId: string;
    strategy: Strategy;
    weights: Record<string, number>;
    now: number;
    after: number | null;
    /** True when an existing period records the same split (then it is reused). */
    sameAs: (period: AllocationRow) => boolean;
  },
): Promise<number> {
  let version = Math.max(input.now, (input.after ?? 0) + 1);
  for (let attempt = 0; attempt < 50; attempt++) {
    const inserted = await db
      .insert(allocations)
      .values({
        projectId: input.projectId,
        experimentId: input.experimentId,
        version,
        strategy: input.strategy,
        weights: input.weights,
        startedAt: input.now,
      })
      .onConflictDoNothing()
      .returning({ version: allocations.version });
    if (inserted.length > 0) return version;
    const latest = await latestAllocation(db, input.projectId, input.experimentId);
    if (latest && input.sameAs(latest)) return latest.version;
    version = Math.max(version, latest?.version ?? 0) + 1;
  }
  throw new Error(`allocation versions of ${input.experimentId} kept colliding`);
}

export interface AllocationPeriod {
  version: number;
  weights: Record<string, number>;
  /** Impressions served under this version, per variant id. */
  counts: Record<string, number>;
}

/** Every allocation period of the experiments with what was served under it (for the SRM test). */
export async function allocationPeriods(
  db: Db,
  projectId: string,
  experimentIds: string[],
): Promise<Map<string, AllocationPeriod[]>> {
  const out = new Map<string, AllocationPeriod[]>();
  if (experimentIds.length === 0) return out;
  const [periods, counts] = await Promise.all([
    db
      .select()
      .from(allocations)
      .where(and(eq(allocations.projectId, projectId), inJsonList(allocations.experimentId, experimentIds)))
      .orderBy(allocations.version),
    db
      .select({
        experimentId: variantAllocationStats.experimentId,
        variantId: variantAllocationStats.variantId,
        allocation: variantAllocationStats.allocation,
        impressions: sql<number>`${variantAllocationStats.impressions}`.mapWith(Number),
      })
      .from(variantAllocationStats)
      .where(
        and(
          eq(variantAllocationStats.projectId, projectId),
          inJsonList(variantAllocationStats.experimentId, experimentIds),
        ),
      ),
  ]);
  const byKey = new Map<string, AllocationPeriod>();
  for (const p of periods) {
    const period: AllocationPeriod = { version: p.version, weights: p.weights, counts: {} };
    byKey.set(`${p.experimentId}:${p.version}`, period);
    const list = out.get(p.experimentId) ?? [];
    list.push(period);
    out.set(p.experimentId, list);
  }
  for (const c of counts) {
    const period = byKey.get(`${c.experimentId}:${c.allocation}`);
    if (period) period.counts[c.variantId] = (period.counts[c.variantId] ?? 0) + c.impressions;
  }
  return out;
}
