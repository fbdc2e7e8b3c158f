import { deliveryTotalsByStatus } from "@pushbunny/db";
import type { AppContext } from "../../context";

/**
 * The Prometheus text exposition for /metrics, across projects. Simulated traffic (impression
 * ids `sim_…`, minted only by the simulate endpoint) is left out: these are real counts.
 */
export async function prometheusMetrics(ctx: AppContext): Promise<string> {
  const [byStatus, events, impressions, deadLetters, subscriptions] = await Promise.all([
    deliveryTotalsByStatus(ctx.db),
    ctx.db.$client
      .prepare(
        "SELECT type, count(*) AS n FROM events WHERE substr(impression_id, 1, 4) != 'sim_' GROUP BY type",
      )
      .all<{ type: string; n: number }>(),
    ctx.db.$client
      .prepare("SELECT count(*) AS n FROM impressions WHERE substr(id, 1, 4) != 'sim_'")
      .first<{ n: number }>(),
    ctx.db.$client
      .prepare("SELECT queue, count(*) AS n FROM dead_letters GROUP BY queue")
      .all<{ queue: string; n: number }>(),
    ctx.db.$client
      .prepare(
        "SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN expired_at IS NOT NULL THEN 'expired' WHEN enabled = 1 THEN 'active' ELSE 'disabled' END AS state, count(*) AS n FROM subscriptions GROUP BY state",
      )
      .all<{ state: string; n: number }>(),
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
      (s) =>
        `pushbunny_push_subscriptions{state="${s}"} ${subscriptions.results.find((r) => r.state === s)?.n ?? 0}`,
    ),
    "# HELP pushbunny_events_ingested_total Opens and conversions recorded.",
    "# TYPE pushbunny_events_ingested_total counter",
    ...["opened", "conversion"].map(
      (t) =>
        `pushbunny_events_ingested_total{type="${t}"} ${events.results.find((r) => r.type === t)?.n ?? 0}`,
    ),
    "# HELP pushbunny_impressions_total Messages served and recorded.",
    "# TYPE pushbunny_impressions_total counter",
    `pushbunny_impressions_total ${impressions?.n ?? 0}`,
    "# HELP pushbunny_dead_letters Queue messages parked after exhausting their retries.",
    "# TYPE pushbunny_dead_letters gauge",
    ...deadLetters.results.map((r) => `pushbunny_dead_letters{queue="${r.queue}"} ${r.n}`),
  ];
  return `${lines.join("\n")}\n`;
}
