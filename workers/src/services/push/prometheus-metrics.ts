import {
  deadLetterCounts,
  deliveryTotalsByStatus,
  realTrafficTotals,
  subscriptionStateCounts,
} from "@pushbunny/db";
import type { AppContext } from "../../context";

/**
 * The Prometheus text exposition for /metrics, across projects. Traffic comes from the daily
 * aggregates of real traffic: the simulation lane's impressions and events are left out.
 */
export async function prometheusMetrics(ctx: AppContext): Promise<string> {
  const [byStatus, traffic, deadLetters, subscriptions] = await Promise.all([
    deliveryTotalsByStatus(ctx.db),
    realTrafficTotals(ctx.db),
    deadLetterCounts(ctx.db),
    subscriptionStateCounts(ctx.db),
  ]);
  const pending = byStatus.find((r) => r.status === "pending")?.n ?? 0;
  const lines = [
    "# HELP pushbunny_push_deliveries Web Push deliveries by status.",
    "# TYPE pushbunny_push_deliveries gauge",
    ...["pending", "sent", "delivered", "failed", "expired"].map(
      (s) => `pushbunny_push_deliveries{status="${s}"} ${byStatus.find((r) => r.status === s)?.n ?? 0}`,
    ),
    "# HELP pushbunny_push_backlog Deliveries waiting to be sent (queued or retrying).",
    "# TYPE pushbunny_push_backlog gauge",
    `pushbunny_push_backlog ${pending}`,
    "# HELP pushbunny_push_subscriptions Push subscriptions by state.",
    "# TYPE pushbunny_push_subscriptions gauge",
    ...["active", "disabled", "expired", "deleted"].map(
      (s) => `pushbunny_push_subscriptions{state="${s}"} ${subscriptions.find((r) => r.state === s)?.n ?? 0}`,
    ),
    "# HELP pushbunny_events_ingested_total Opens and conversions recorded.",
    "# TYPE pushbunny_events_ingested_total counter",
    `pushbunny_events_ingested_total{type="opened"} ${traffic.opens}`,
    `pushbunny_events_ingested_total{type="conversion"} ${traffic.conversions}`,
    "# HELP pushbunny_impressions_total Messages served and recorded.",
    "# TYPE pushbunny_impressions_total counter",
    `pushbunny_impressions_total ${traffic.impressions}`,
    "# HELP pushbunny_dead_letters Queue messages parked after exhausting their retries.",
    "# TYPE pushbunny_dead_letters gauge",
    ...deadLetters.map((r) => `pushbunny_dead_letters{queue="${r.queue}"} ${r.n}`),
  ];
  return `${lines.join("\n")}\n`;
}
