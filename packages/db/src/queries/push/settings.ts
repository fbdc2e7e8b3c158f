import { eq } from "drizzle-orm";
import type { Db } from "../../client";
import { type PushSettingsRow, pushSettings } from "../../schema";

export async function findPushSettings(db: Db, projectId: string): Promise<PushSettingsRow | null> {
  const [row] = await db.select().from(pushSettings).where(eq(pushSettings.projectId, projectId));
  return row ?? null;
}

/** Creates the project's settings row or changes the given columns of it. */
export async function savePushSettings(
  db: Db,
  projectId: string,
  set: Partial<Omit<PushSettingsRow, "projectId">> & { updatedAt: number },
): Promise<PushSettingsRow> {
  const [row] = await db
    .insert(pushSettings)
    .values({ projectId, ...set })
    .onConflictDoUpdate({ target: pushSettings.projectId, set })
    .returning();
  if (!row) throw new Error("push settings upsert returned nothing");
  return row;
}
