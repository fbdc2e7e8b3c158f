import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../client";
import { projects } from "../schema";

/** A project's rate-limit and quota overrides by name (`{ "message": "6000/minute" }`). */
export type LimitOverrides = Record<string, string>;

/** The project's overrides (null: none set), or undefined when the project does not exist. */
export async function findProjectLimits(
  db: Db,
  projectId: string,
): Promise<LimitOverrides | null | undefined> {
  const rows = await db
    .select({ limits: projects.limits })
    .from(projects)
    .where(and(eq(projects.id, projectId), isNull(projects.deletedAt)))
    .limit(1);
  const row = rows[0];
  if (!row) return undefined;
  return row.limits && typeof row.limits === "object" ? row.limits : null;
}

/** Replaces the project's overrides (null or empty: back to the defaults); false if no such project. */
export async function setProjectLimits(
  db: Db,
  input: { projectId: string; limits: LimitOverrides | null; now: number },
): Promise<boolean> {
  const limits = input.limits && Object.keys(input.limits).length > 0 ? input.limits : null;
  const rows = await db
    .update(projects)
    .set({ limits, updatedAt: input.now })
    .where(and(eq(projects.id, input.projectId), isNull(projects.deletedAt)))
    .returning({ id: projects.id });
  return rows.length > 0;
}
