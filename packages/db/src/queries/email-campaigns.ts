import { and, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import { type CampaignStatus, type EmailCampaignRow, emailCampaigns, variants } from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

export async function insertEmailCampaign(db: Db, row: EmailCampaignRow): Promise<void> {
  await db.insert(emailCampaigns).values(row);
}

export async function findEmailCampaign(
  db: Db,
  projectId: string,
  id: string,
): Promise<EmailCampaignRow | null> {
  const [row] = await db
    .select()
    .from(emailCampaigns)
    .where(and(eq(emailCampaigns.projectId, projectId), eq(emailCampaigns.id, id)))
    .limit(1);
  return row ?? null;
}

/** A campaign still to send (scheduled, sending or paused) that uses the template, if any. */
export async function liveCampaignUsingTemplate(
  db: Db,
  projectId: string,
  templateId: string,
): Promise<{ id: string; status: CampaignStatus } | null> {
  const [row] = await db
    .select({ id: emailCampaigns.id, status: emailCampaigns.status })
    .from(emailCampaigns)
    .where(
      and(
        eq(emailCampaigns.projectId, projectId),
        eq(emailCampaigns.templateId, templateId),
        inArray(emailCampaigns.status, ["scheduled", "sending", "paused"]),
      ),
    )
    .limit(1);
  return row ?? null;
}

/** A page of a project's campaigns, newest first (keyset on created_at, id). */
export function listEmailCampaignsPage(
  db: Db,
  projectId: string,
  filter: { limit: number; after?: PageAnchor },
): Promise<EmailCampaignRow[]> {
  return db
    .select()
    .from(emailCampaigns)
    .where(
      and(
        eq(emailCampaigns.projectId, projectId),
        olderThan(emailCampaigns.createdAt, emailCampaigns.id, filter.after),
      ),
    )
    .orderBy(desc(emailCampaigns.createdAt), desc(emailCampaigns.id))
    .limit(filter.limit);
}

/**
 * Changes a campaign only while its status is one of `from`: a compare-and-set, so two
 * concurrent transitions cannot both win. Null when the row is gone or its status moved on.
 */
export async function updateEmailCampaignRow(
  db: Db,
  projectId: string,
  id: string,
  from: readonly CampaignStatus[],
  set: Partial<Omit<EmailCampaignRow, "id" | "projectId" | "createdAt">>,
): Promise<EmailCampaignRow | null> {
  const [row] = await db
    .update(emailCampaigns)
    .set(set)
    .where(
      and(
        eq(emailCampaigns.projectId, projectId),
        eq(emailCampaigns.id, id),
        inArray(emailCampaigns.status, [...from]),
      ),
    )
    .returning();
  return row ?? null;
}

/** Deletes a campaign in one of the `from` statuses; false when none matched. */
export async function deleteEmailCampaignRow(
  db: Db,
  projectId: string,
  id: string,
  from: readonly CampaignStatus[],
): Promise<boolean> {
  const rows = await db
    .delete(emailCampaigns)
    .where(
      and(
        eq(emailCampaigns.projectId, projectId),
        eq(emailCampaigns.id, id),
        inArray(emailCampaigns.status, [...from]),
      ),
    )
    .returning({ id: emailCampaigns.id });
  return rows.length > 0;
}

/**
 * The texts of a campaign experiment's variants by id: arms added after the campaign was made
 * (an iteration's challengers, a variant added by hand) are sent with their own text.
 */
export async function variantTexts(
  db: Db,
  projectId: string,
  experimentId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: variants.id, text: variants.text })
    .from(variants)
    .where(
      and(
        eq(variants.projectId, projectId),
        eq(variants.experimentId, experimentId),
        inArray(variants.id, [...ids]),
      ),
    );
  return new Map(rows.map((r) => [r.id, r.text]));
}
