import { encodeCursor } from "@pushbunny/core";
import { listSubscriptions as listRows, type SubscriptionStatus } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { readCursor } from "../../infra/cursor";
import { type Subscription, toSubscription } from "../../push/subscriptions";

export interface ListSubscriptionsInput {
  topic?: string | undefined;
  userId?: string | undefined;
  status?: SubscriptionStatus | undefined;
  /** From the previous page's nextCursor. */
  cursor?: string | undefined;
  limit: number;
}

/** A page of subscriptions, newest first, with the cursor of the next page (null: the last). */
export async function listSubscriptions({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: ListSubscriptionsInput;
}): Promise<{ subscriptions: Subscription[]; nextCursor: string | null }> {
  const decoded = readCursor(input.cursor, ["number", "string"]);
  const after = decoded && { createdAt: decoded[0], id: decoded[1] };
  const rows = await listRows(ctx.db, {
    projectId,
    ...(input.topic !== undefined ? { topic: input.topic } : {}),
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(after ? { after } : {}),
    limit: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    subscriptions: page.map(toSubscription),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}
