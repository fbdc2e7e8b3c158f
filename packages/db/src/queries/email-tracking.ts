import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { type EmailMessageStatus, emailMessages } from "../schema";

/** The statuses an open moves forward to `opened`; anything further (clicked, bounced, complained) stays. */
const OPENED_FROM: EmailMessageStatus[] = ["sent", "delivered"];
/** The statuses a click moves forward to `clicked`; a bounce or complaint set by the provider stays. */
const CLICKED_FROM: EmailMessageStatus[] = ["sent", "delivered", "opened"];

/**
 * Records the first human open of a message (compare-and-set on opened_at IS NULL): true for the
 * one caller that set it, so two concurrent pixel fetches emit and count one open. The status moves
 * to `opened` only from sent or delivered (forward only, as advanceEmailMessageStatus).
 */
export async function claimEmailOpen(
  db: Db,
  input: { projectId: string; messageId: string; now: number },
): Promise<boolean> {
  const rows = await db
    .update(emailMessages)
    .set({
      openedAt: input.now,
      status: sql`CASE WHEN ${inArray(emailMessages.status, OPENED_FROM)} THEN 'opened' ELSE ${emailMessages.status} END`,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(emailMessages.projectId, input.projectId),
        eq(emailMessages.id, input.messageId),
        isNull(emailMessages.openedAt),
      ),
    )
    .returning({ id: emailMessages.id });
  return rows.length > 0;
}

/**
 * Records the first click of a message (compare-and-set on clicked_at IS NULL): true for the one
 * caller that set it. The status moves to `clicked` only from sent, delivered or opened: a bounce
 * or complaint the provider reported is never overwritten. opened_at is left to claimEmailOpen.
 */
export async function claimEmailClick(
  db: Db,
  input: { projectId: string; messageId: string; now: number },
): Promise<boolean> {
  const rows = await db
    .update(emailMessages)
    .set({
      clickedAt: input.now,
      status: sql`CASE WHEN ${inArray(emailMessages.status, CLICKED_FROM)} THEN 'clicked' ELSE ${emailMessages.status} END`,
      updatedAt: input.now,
    })
    .where(
      and(
        eq(emailMessages.projectId, input.projectId),
        eq(emailMessages.id, input.messageId),
        isNull(emailMessages.clickedAt),
      ),
    )
    .returning({ id: emailMessages.id });
  return rows.length > 0;
}
