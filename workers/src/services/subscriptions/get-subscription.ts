import type { AppContext } from "../../context";
import { mustSubscription, type Subscription, toSubscription } from "../../push/subscriptions";

/** One subscription of the project (404 otherwise). */
export async function getSubscription({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { id: string };
}): Promise<Subscription> {
  return toSubscription(await mustSubscription(ctx, projectId, input.id));
}
