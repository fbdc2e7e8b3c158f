import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import { type EmailMessageRow, type EmailMessageStatus, emailMessages, emailProviderEvents } from "../schema";

/**
 * The message a provider's id belongs to, in any project: a provider webhook names only its own
 * id, so the project comes from the row found here, never from the payload.
 */
export async function findEmailMessageByProviderId(
  db: Db,
  providerMessageId: string,
): Promise<EmailMessageRow | null> {
  const [row] = await db
    .select()
    .from(emailMessages)
    .where(eq(emailMessages.providerMessageId, providerMessageId))
    .limit(1);
  return row ?? null;
}

/**
 * Records a provider message id (svix-id) as being applied. False when it already was: the
 * caller then changes nothing (a replay or a retry of one that succeeded).
 */
export async function claimProviderEvent(
  db: Db,
  input: { id: string; projectId: string; messageId: string; type: string; now: number },
): Promise<boolean> {
  const rows = await db
    .insert(emailProviderEvents)
    .values({
      id: input.id,
      projectId: input.projectId,
      messageId: input.messageId,
      type: input.type,
      createdAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: emailProviderEvents.id });
  return rows.length > 0;
}

/** Forgets a claimed provider event whose effects failed, so the provider's retry applies it. */
export async function releaseProviderEvent(db: Db, input: { id: string; projectId: string }): Promise<void> {
  await db
    .delete(emailProviderEvents)
    .where(and(eq(emailProviderEvents.id, input.id), eq(emailProviderEvents.projectId, input.projectId)));
}

/**
 * The statuses a message may move to `to` from. Status moves forward only: delivered never
 * overwrites an open or click; a bounce or complaint wins over everything but a complaint.
 */
// A queued row is being sent: its sender owns it (and its claim on updated_at) until it is sent.
const MAY_COME_FROM: Partial<Record<EmailMessageStatus, EmailMessageStatus[]>> = {
  delivered: ["sent"],
  bounced: ["sent", "delivered", "opened", "clicked", "failed"],
  complained: ["sent", "delivered", "opened", "clicked", "bounced", "failed"],
};

/** Moves a message's status forward (compare-and-set); false when it was already as far or further. */
export async function advanceEmailMessageStatus(
  db: Db,
  input: { projectId: string; messageId: string; to: EmailMessageStatus; error?: string | null },
): Promise<boolean> {
  const from = MAY_COME_FROM[input.to];
  if (!from) return false;
  const rows = await db
    .update(emailMessages)
    // updated_at is left alone: the campaign sender uses it as its claim marker.
    .set({ status: input.to, ...(input.error !== undefined ? { error: input.error } : {}) })
    .where(
      and(
        eq(emailMessages.projectId, input.projectId),
        eq(emailMessages.id, input.messageId),
        inArray(emailMessages.status, from),
      ),
    )
    .returning({ id: emailMessages.id });
  return rows.length > 0;
}
