import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { emailOutbox } from "../schema";
import { olderThan } from "./keyset";

/** Stores outbox mail; a retried batch (same provider id) overwrites its own rows. */
export async function putOutboxMail(db: Db, row: typeof emailOutbox.$inferInsert): Promise<void> {
  await db.insert(emailOutbox).values(row).onConflictDoNothing();
}

/** A page of the project's outbox mail, newest first (keyset on created_at, provider message id). */
export function listOutboxMail(
  db: Db,
  projectId: string,
  filter: { limit: number; after?: { createdAt: number; id: string } },
) {
  return db
    .select()
    .from(emailOutbox)
    .where(
      and(
        eq(emailOutbox.projectId, projectId),
        olderThan(emailOutbox.createdAt, emailOutbox.providerMessageId, filter.after),
      ),
    )
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.providerMessageId))
    .limit(filter.limit);
}

/** One outbox mail of the project by its provider message id. */
export async function findOutboxMail(db: Db, projectId: string, providerMessageId: string) {
  const [row] = await db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.projectId, projectId), eq(emailOutbox.providerMessageId, providerMessageId)))
    .limit(1);
  return row ?? null;
}
