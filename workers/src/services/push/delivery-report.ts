import { utcDay } from "@pushbunny/core";
import { deliveryAnalytics } from "@pushbunny/db";
import type { AppContext } from "../../context";
import { daysOf, rate } from "../../push/days";
import { type DeliveryCounts, noDeliveries } from "../../push/notifications";

export type DeliveryRates = DeliveryCounts & {
  acceptedRate: number | null;
  deliveredRate: number | null;
  failureRate: number | null;
  clickRate: number | null;
};

export interface DeliveryReport {
  dateFrom: string;
  dateTo: string;
  totals: DeliveryRates;
  days: (DeliveryRates & { day: string })[];
}

function withRates(c: DeliveryCounts): DeliveryRates {
  const attempted = c.sent + c.delivered + c.failed + c.expired;
  return {
    ...c,
    acceptedRate: rate(c.sent + c.delivered, attempted),
    deliveredRate: rate(c.delivered, attempted),
    failureRate: rate(c.failed + c.expired, attempted),
    clickRate: rate(c.clicked, c.delivered),
  };
}

/** Deliveries by status per UTC day of sending, with rates. */
export async function deliveryReport({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { fromMs: number; toMs: number };
}): Promise<DeliveryReport> {
  const rows = await deliveryAnalytics(ctx.db, { projectId, ...input });
  const byDay = new Map<string, DeliveryCounts>();
  for (const r of rows) {
    const d = byDay.get(r.day) ?? noDeliveries();
    d[r.status] += r.n;
    d.clicked += r.clicked ?? 0;
    byDay.set(r.day, d);
  }
  const total = noDeliveries();
  for (const d of byDay.values())
    for (const k of Object.keys(total) as (keyof DeliveryCounts)[]) total[k] += d[k];
  return {
    dateFrom: utcDay(input.fromMs),
    dateTo: utcDay(input.toMs),
    totals: withRates(total),
    days: daysOf(input.fromMs, input.toMs).map((day) => ({
      day,
      ...withRates(byDay.get(day) ?? noDeliveries()),
    })),
  };
}
