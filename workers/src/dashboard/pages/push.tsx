import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { AppError, NotFoundError } from "../../errors";
import type { Subscription } from "../../push/subscriptions";
import { notificationHistory } from "../../services/notifications/notification-history";
import { sendNotification } from "../../services/notifications/send-notification";
import { deliveryReport } from "../../services/push/delivery-report";
import { subscriptionReport } from "../../services/push/subscription-report";
import { getSubscription } from "../../services/subscriptions/get-subscription";
import { listSubscriptions } from "../../services/subscriptions/list-subscriptions";
import { page, projectOf, sessionOf } from "../context";
import { int, pct, when } from "../format";
import { ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { Chart, type ChartSpec } from "./experiment";
import { HistoryTable, NOTIFICATION_ID, registerNotificationRoutes } from "./push-history";
import {
  EMPTY_FORM,
  EMPTY_TEST,
  readSendForm,
  readTestForm,
  type SendForm,
  SendPanel,
  type TestForm,
  TestSendPanel,
} from "./push-send";

/** 9999-12-31T23:59:59Z: past it Date cannot print a time. */
const MAX_INSTANT_MS = 253_402_300_799_999;

const DAY_MS = 86_400_000;
/** The charts' window: the analytics routes' default range. */
const WINDOW_DAYS = 30;
const HISTORY_SHOWN = 20;
/** Recent active subscriptions offered for a test send; any other can be pasted. */
const RECENT_SUBSCRIPTIONS = 10;

interface Shown {
  form?: SendForm;
  problems?: string[];
  test?: TestForm;
  testProblems?: string[];
}

async function showPush(c: Context<DashEnv>, extra: Shown, status: 200 | 400 = 200): Promise<Response> {
  const { projectId, role } = await projectOf(c, "read");
  const csrf = sessionOf(c).csrf;
  const ctx = c.get("ctx");
  const toMs = ctx.now();
  const range = { fromMs: toMs - WINDOW_DAYS * DAY_MS + 1, toMs };
  const canWrite = roleGrants(role, "write");
  const [subs, deliveries, history, recent] = await Promise.all([
    subscriptionReport({ ctx, projectId, input: range }),
    deliveryReport({ ctx, projectId, input: range }),
    notificationHistory({ ctx, projectId, input: { limit: HISTORY_SHOWN } }),
    canWrite
      ? listSubscriptions({ ctx, projectId, input: { status: "active", limit: RECENT_SUBSCRIPTIONS } })
      : { subscriptions: [] as Subscription[], nextCursor: null },
  ]);
  const days = subs.days.map((d) => d.day);
  const subsChart: ChartSpec = {
    days,
    yLabel: "subscriptions",
    series: [
      { label: "new", values: subs.days.map((d) => d.new) },
      { label: "expired", values: subs.days.map((d) => d.expired) },
      { label: "deleted", values: subs.days.map((d) => d.deleted) },
    ],
  };
  const deliveryChart: ChartSpec = {
    days: deliveries.days.map((d) => d.day),
    yLabel: "deliveries",
    series: (["delivered", "sent", "failed", "expired", "pending", "clicked"] as const).map((k) => ({
      label: k === "sent" ? "sent (accepted, not yet confirmed)" : k,
      values: deliveries.days.map((d) => d[k]),
    })),
  };
  const sentId = c.req.query("sent");
  const sentTo = Number(c.req.query("recipients"));
  const justSent = sentId && NOTIFICATION_ID.test(sentId) ? sentId : null;
  const at = Number(c.req.query("at"));
  // From the redirect after a schedule, but a link can say anything: only a real instant (to 9999).
  const scheduledFor = Number.isInteger(at) && at > 0 && at < MAX_INSTANT_MS ? at : null;
  const canceled = c.req.query("canceled");
  const justCanceled = canceled && NOTIFICATION_ID.test(canceled) ? canceled : null;
  const empty = subs.active === 0 && history.total === 0;
  const t = deliveries.totals;
  return page(
    c,
    {
      title: "Push",
      projectId,
      current: "push",
      charts: !empty,
      children: (
        <>
          <h1>Push notifications</h1>
          {justSent ? (
            <p class="panel notice" role="status">
              Notification <code>{justSent}</code>{" "}
              {scheduledFor ? `scheduled for ${when(scheduledFor)} UTC` : "queued"}
              {Number.isInteger(sentTo) && sentTo >= 0 ? ` for about ${int(sentTo)} subscriptions` : null}.
              {scheduledFor
                ? " It can be canceled below until then."
                : " Its deliveries appear below as push services answer."}
            </p>
          ) : null}
          {justCanceled ? (
            <p class="panel notice" role="status">
              Notification <code>{justCanceled}</code> canceled: it will not be sent.
            </p>
          ) : null}
          {empty ? (
            <div class="panel notice">
              <h2>No subscribers yet</h2>
              <p>
                People subscribe on your site through the web SDK, or on the hosted page:{" "}
                <a href={`/push/${projectId}/subscribe`}>/push/{projectId}/subscribe</a>. Open it in a browser
                that allows notifications to subscribe yourself and try a send.
              </p>
            </div>
          ) : null}
          {canWrite ? (
            <>
              <SendPanel
                projectId={projectId}
                csrf={csrf}
                form={extra.form ?? EMPTY_FORM}
                problems={extra.problems ?? []}
              />
              <TestSendPanel
                projectId={projectId}
                csrf={csrf}
                form={extra.test ?? EMPTY_TEST}
                problems={extra.testProblems ?? []}
                recent={recent.subscriptions}
              />
            </>
          ) : null}
          {empty ? null : (
            <>
              <h2>Last {WINDOW_DAYS} days</h2>
              <p>
                {int(subs.active)} active subscriptions · {int(subs.totals.new)} new,{" "}
                {int(subs.totals.expired)} expired, {int(subs.totals.deleted)} deleted ·{" "}
                {int(t.delivered + t.sent)} delivered, {int(t.failed + t.expired)} failed
                {t.clickRate === null ? null : `, click rate ${pct(t.clickRate)}`}
              </p>
              <Chart spec={subsChart} label="Subscriptions: new, expired and deleted" />
              <Chart spec={deliveryChart} label="Deliveries by status" />
              <details class="panel">
                <summary>Daily numbers</summary>
                <ScrollBox label="Daily push numbers table">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Day (UTC)</th>
                        <th scope="col" class="num">
                          New
                        </th>
                        <th scope="col" class="num">
                          Expired
                        </th>
                        <th scope="col" class="num">
                          Deleted
                        </th>
                        <th scope="col" class="num">
                          Delivered
                        </th>
                        <th scope="col" class="num">
                          Failed
                        </th>
                        <th scope="col" class="num">
                          Clicked
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {subs.days
                        .map((s, i) => ({ s, d: deliveries.days[i] }))
                        .filter(
                          ({ s, d }) =>
                            s.new + s.expired + s.deleted > 0 ||
                            (d && d.sent + d.delivered + d.failed + d.expired + d.pending > 0),
                        )
                        .reverse()
                        .map(({ s, d }) => (
                          <tr>
                            <td>{s.day}</td>
                            <td class="num">{int(s.new)}</td>
                            <td class="num">{int(s.expired)}</td>
                            <td class="num">{int(s.deleted)}</td>
                            <td class="num">{d ? int(d.delivered + d.sent) : "—"}</td>
                            <td class="num">{d ? int(d.failed + d.expired) : "—"}</td>
                            <td class="num">{d ? int(d.clicked) : "—"}</td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </ScrollBox>
              </details>
            </>
          )}
          <h2>Recent notifications</h2>
          {history.notifications.length === 0 ? (
            <p class="panel">None sent yet.</p>
          ) : (
            <>
              <HistoryTable
                projectId={projectId}
                rows={history.notifications}
                csrf={csrf}
                canWrite={canWrite}
              />
              {history.total > history.notifications.length ? (
                <p class="muted">
                  The newest {int(history.notifications.length)} of {int(history.total)}; the rest are in GET
                  /v1/notifications.
                </p>
              ) : null}
            </>
          )}
        </>
      ),
    },
    status,
  );
}

/** The verb's refusal (a payload too large for a push message, a time past) as the form's problem. */
function refusedBy(err: unknown): string | null {
  return err instanceof AppError && (err.status === 400 || err.status === 413) ? err.message : null;
}

export function registerPushPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/push", (c) => showPush(c, {}));
  registerNotificationRoutes(dash);

  // Send to everyone (the verb behind POST /v1/notifications/broadcast) or to a topic's
  // subscribers (POST /v1/notifications/send), now or at a time (their options.scheduled_at).
  dash.post("/p/:project/push/send", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const ctx = c.get("ctx");
    const { form, scheduledAt, problems } = readSendForm(await c.req.parseBody(), ctx.now());
    if (problems.length > 0) return showPush(c, { form, problems }, 400);
    const content = {
      ...(form.title ? { title: form.title } : {}),
      ...(form.body ? { body: form.body } : {}),
      ...(form.url ? { url: form.url } : {}),
    };
    const when = scheduledAt === null ? {} : { scheduledAt };
    try {
      const { notification, estimatedRecipients } = await sendNotification({
        ctx,
        projectId,
        input:
          form.audience === "all"
            ? { type: "broadcast", target: { all: true }, content, ttl: 86_400, ...when }
            : { type: "send", target: { topics: [form.topic] }, content, ttl: 86_400, ...when },
      });
      const at = notification.scheduledAt === null ? "" : `&at=${notification.scheduledAt}`;
      return c.redirect(
        `/app/p/${projectId}/push?sent=${notification.id}&recipients=${estimatedRecipients}${at}`,
        303,
      );
    } catch (err) {
      const problem = refusedBy(err);
      if (problem) return showPush(c, { form, problems: [problem] }, 400);
      throw err;
    }
  });

  // A test send to exactly one subscription of this project: the verb behind POST
  // /v1/notifications/send with subscription_ids. The subscription is looked up first (the verb
  // behind GET /v1/subscriptions/{id}) so a wrong id is said on the form, not sent to nobody.
  dash.post("/p/:project/push/test", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const ctx = c.get("ctx");
    const { form, id, problems } = readTestForm(await c.req.parseBody());
    if (problems.length === 0) {
      try {
        const sub = await getSubscription({ ctx, projectId, input: { id } });
        if (sub.status !== "active")
          problems.push(`Subscription ${id} is ${sub.status}: it receives nothing.`);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        problems.push(`This project has no subscription ${id}.`);
      }
    }
    if (problems.length > 0) return showPush(c, { test: form, testProblems: problems }, 400);
    const content = {
      ...(form.title ? { title: form.title } : {}),
      ...(form.body ? { body: form.body } : {}),
    };
    try {
      const { notification, estimatedRecipients } = await sendNotification({
        ctx,
        projectId,
        input: { type: "send", target: { subscriptionIds: [id] }, content, ttl: 86_400 },
      });
      return c.redirect(
        `/app/p/${projectId}/push?sent=${notification.id}&recipients=${estimatedRecipients}`,
        303,
      );
    } catch (err) {
      const problem = refusedBy(err);
      if (problem) return showPush(c, { test: form, testProblems: [problem] }, 400);
      throw err;
    }
  });
}
