import { utcDay } from "@pushbunny/core";
import { subscriptionAnalytics } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { daysOf } from "../../push/days";

export interface SubscriptionReport {
  dateFrom: string;
  dateTo: string;
  active: number;
  totals: { new: number; expired: number; deleted: number };
  days: { day: string; new: number; expired: number; deleted: number }[];
}

/** Active subscriptions now, and new / expired / deleted per UTC day in the range. */
export async function subscriptionReport({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { fromMs: number; toMs: number };
}): Promise<SubscriptionReport> {
  const a = await subscriptionAnalytics(ctx.db, { projectId, ...input });
  const pick = (rows: { day: string; n: number }[]) => new Map(rows.map((r) => [r.day, r.n]));
  const created = pick(a.created);
  const expired = pick(a.expired);
  const deleted = pick(a.deleted);
  const days = daysOf(input.fromMs, input.toMs).map((day) => ({
    day,
    new: created.get(day) ?? 0,
    expired: expired.get(day) ?? 0,
    deleted: deleted.get(day) ?? 0,
  }));
  const sum = (k: "new" | "expired" | "deleted") => days.reduce((s, d) => s + d[k], 0);
  return {
    dateFrom: utcDay(input.fromMs),
    dateTo: utcDay(input.toMs),
    active: a.active,
    totals: { new: sum("new"), expired: sum("expired"), deleted: sum("deleted") },
    days,
  };
}
