import { dueNotifications, transitionNotification } from "@pushbunny/db";
import type { AppContext } from "../../context";
import type { PushDispatchJob } from "../../queue/messages";

/** Cron (every minute): scheduled notifications that are due go to the queue. */
export async function dispatchDueNotifications({ ctx }: { ctx: AppContext }): Promise<number> {
  const due = await dueNotifications(ctx.db, ctx.now(), 200);
  let queued = 0;
  for (const n of due) {
    const moved = await transitionNotification(ctx.db, {
      projectId: n.projectId,
      id: n.id,
      from: ["scheduled"],
      set: { status: "queued" },
    });
    if (!moved) continue;
    const job: PushDispatchJob = { kind: "push_dispatch", projectId: n.projectId, notificationId: n.id };
    await ctx.queues.jobs.send(job);
    queued++;
  }
  return queued;
}
