import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { type EmailTemplateRow, emailTemplates } from "../schema";
import { olderThan, type PageAnchor } from "./keyset";

export async function insertEmailTemplate(db: Db, row: EmailTemplateRow): Promise<void> {
  await db.insert(emailTemplates).values(row);
}

export async function findEmailTemplate(
  db: Db,
  projectId: string,
  id: string,
): Promise<EmailTemplateRow | null> {
  const [row] = await db
    .select()
    .from(emailTemplates)
    .where(and(eq(emailTemplates.projectId, projectId), eq(emailTemplates.id, id)))
    .limit(1);
  return row ?? null;
}

/** A page of a project's templates, newest first (keyset on created_at, id). */
export function listEmailTemplatesPage(
  db: Db,
  projectId: string,
  filter: { limit: number; after?: PageAnchor },
): Promise<EmailTemplateRow[]> {
  return db
    .select()
    .from(emailTemplates)
    .where(
      and(
        eq(emailTemplates.projectId, projectId),
        olderThan(emailTemplates.createdAt, emailTemplates.id, filter.after),
      ),
    )
    .orderBy(desc(emailTemplates.createdAt), desc(emailTemplates.id))
    .limit(filter.limit);
}

export async function updateEmailTemplateRow(
  db: Db,
  projectId: string,
  id: string,
  set: Partial<Omit<EmailTemplateRow, "id" | "projectId" | "createdAt">>,
): Promise<EmailTemplateRow | null> {
  const [row] = await db
    .update(emailTemplates)
    .set(set)
    .where(and(eq(emailTemplates.projectId, projectId), eq(emailTemplates.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteEmailTemplateRow(db: Db, projectId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(emailTemplates)
    .where(and(eq(emailTemplates.projectId, projectId), eq(emailTemplates.id, id)))
    .returning({ id: emailTemplates.id });
  return rows.length > 0;
}
