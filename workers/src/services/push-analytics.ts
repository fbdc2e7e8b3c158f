import { utcDay } from "@pushbunny/core";
import { deliveryAnalytics, deliveryTotalsByStatus, subscriptionAnalytics } from "@pushbunny/db";
import type { AppContext } from "../context";

const DAY_MS = 86_400_000;

function daysOf(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${utcDay(fromMs)}T00:00:00Z`); t <= toMs; t += DAY_MS) out.push(utcDay(t));
  return out;
}

const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1e4) / 1e4 : null);

/** GET /v1/analytics/subscriptions: active now, and new / expired / deleted per day. */
export async function subscriptionReport({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { fromMs: number; toMs: number };
}) {
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
    date_from: utcDay(input.fromMs),
    date_to: utcDay(input.toMs),
    active: a.active,
    totals: { new: sum("new"), expired: sum("expired"), deleted: sum("deleted") },
    days,
  };
}

/** GET /v1/analytics/deliveries: by status per day of sending, with rates. */
export async function deliveryReport({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  input: { fromMs: number; toMs: number };
}) {
  const rows = await deliveryAnalytics(ctx.db, { projectId, ...input });
  const empty = () => ({ pending: 0, sent: 0, delivered: 0, failed: 0, expired: 0, clicked: 0 });
  const byDay = new Map<string, ReturnType<typeof empty>>();
  for (const r of rows) {
    const d = byDay.get(r.day) ?? empty();
    d[r.status] += r.n;
    d.clicked += r.clicked ?? 0;
    byDay.set(r.day, d);
  }
  const withRates = (c: ReturnType<typeof empty>) => {
    const attempted = c.sent + c.delivered + c.failed + c.expired;
    return {
      ...c,
      accepted_rate: rate(c.sent + c.delivered, attempted),
      delivered_rate: rate(c.delivered, attempted),
      failure_rate: rate(c.failed + c.expired, attempted),
      click_rate: rate(c.clicked, c.delivered),
    };
  };
  const days = daysOf(input.fromMs, input.toMs).map((day) => ({
    day,
    ...withRates(byDay.get(day) ?? empty()),
  }));
  const total = empty();
  for (const d of byDay.values())
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += d[k];
  return { date_from: utcDay(input.fromMs), date_to: utcDay(input.toMs), totals: withRates(total), days };
}

/** GET /metrics: Prometheus text exposition. */
export async function prometheusMetrics(ctx: AppContext): Promise<string> {
  const [byStatus, events, impressions, deadLetters, subscriptions] = await Promise.all([
    deliveryTotalsByStatus(ctx.db),
    ctx.db.$client
      .prepare("SELECT type, count(*) AS n FROM events GROUP BY type")
      .all<{ type: string; n: number }>(),
    ctx.db.$client.prepare("SELECT count(*) AS n FROM impressions").first<{ n: number }>(),
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
