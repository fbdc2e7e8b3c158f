import type { NotificationTarget } from "@pushbunny/db";
import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { AppError } from "../../errors";
import type { Notification } from "../../push/notifications";
import { notificationHistory } from "../../services/notifications/notification-history";
import { sendNotification } from "../../services/notifications/send-notification";
import { deliveryReport } from "../../services/push/delivery-report";
import { subscriptionReport } from "../../services/push/subscription-report";
import { page, projectOf, sessionOf } from "../context";
import { int, pct, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { Chart, type ChartSpec } from "./experiment";

const DAY_MS = 86_400_000;
/** The charts' window: the analytics routes' default range. */
const WINDOW_DAYS = 30;
const HISTORY_SHOWN = 20;
/** The same bounds as the API's payload and topic schemas (routes/notifications/schemas.ts). */
const TITLE_MAX = 256;
const BODY_MAX = 4000;
const URL_MAX = 2048;
const TOPIC = /^[A-Za-z0-9_.:-]{1,64}$/;
const NOTIFICATION_ID = /^ntf_[A-Za-z0-9_-]{1,64}$/;

interface SendForm {
  title: string;
  body: string;
  url: string;
  audience: "all" | "topic";
  topic: string;
}

const EMPTY_FORM: SendForm = { title: "", body: "", url: "", audience: "all", topic: "" };

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** The form as the verb's input, or what is wrong with it (the API's rules, in the form's words). */
export function readSendForm(form: Record<string, unknown>): { form: SendForm; problems: string[] } {
  const f: SendForm = {
    title: text(form.title),
    body: text(form.body),
    url: text(form.url),
    audience: form.audience === "topic" ? "topic" : "all",
    topic: text(form.topic),
  };
  const problems: string[] = [];
  if (!f.title && !f.body) problems.push("Write a title or a body.");
  if (f.title.length > TITLE_MAX) problems.push(`The title is longer than ${TITLE_MAX} characters.`);
  if (f.body.length > BODY_MAX) problems.push(`The body is longer than ${BODY_MAX} characters.`);
  if (f.url && (f.url.length > URL_MAX || !/^https?:\/\//i.test(f.url) || !URL.canParse(f.url))) {
    problems.push("The link must be a full http(s) address.");
  }
  if (f.audience === "topic" && !TOPIC.test(f.topic)) {
    problems.push("Name the topic: letters, digits and _ . : - only, at most 64.");
  }
  return { form: f, problems };
}

function targetLabel(t: NotificationTarget): string {
  if (t.all) return "everyone";
  const parts: string[] = [];
  if (t.topics?.length) parts.push(`topics ${t.topics.join(", ")}`);
  if (t.userIds?.length) parts.push(`${int(t.userIds.length)} users`);
  if (t.subscriptionIds?.length) parts.push(`${int(t.subscriptionIds.length)} subscriptions`);
  return parts.join("; ") || "—";
}

function contentLabel(n: Notification): string {
  const p = n.payload;
  const title = typeof p.title === "string" ? p.title : "";
  const body = typeof p.body === "string" ? p.body : "";
  if (typeof p.intent_id === "string") return `intent ${p.intent_id}${title ? `: ${title}` : ""}`;
  const shown = [title, body].filter(Boolean).join(" — ");
  return shown.length > 120 ? `${shown.slice(0, 119)}…` : shown;
}

function SendPanel(p: { projectId: string; csrf: string; form: SendForm; problems: string[] }) {
  const f = p.form;
  return (
    <section class="panel" aria-labelledby="send-title">
      <h2 id="send-title">Send a notification</h2>
      {p.problems.length > 0 ? (
        <ul class="error" role="alert">
          {p.problems.map((x) => (
            <li>{x}</li>
          ))}
        </ul>
      ) : null}
      <form class="stack" method="post" action={`/app/p/${p.projectId}/push/send`}>
        <Csrf token={p.csrf} />
        <label>
          Title
          <input name="title" maxlength={TITLE_MAX} value={f.title} />
        </label>
        <label>
          Body
          <input name="body" maxlength={BODY_MAX} value={f.body} />
        </label>
        <label>
          Link opened on click (optional)
          <input
            name="url"
            type="url"
            maxlength={URL_MAX}
            value={f.url}
            placeholder="https://example.com/sale"
          />
        </label>
        <fieldset class="inline">
          <legend>Send to</legend>
          <label class="check">
            <input type="radio" name="audience" value="all" checked={f.audience === "all"} /> everyone
            subscribed
          </label>
          <label class="check">
            <input type="radio" name="audience" value="topic" checked={f.audience === "topic"} /> the
            subscribers of a topic
          </label>
          <label class="check">
            Topic
            <input name="topic" maxlength={64} value={f.topic} placeholder="news" />
          </label>
        </fieldset>
        <button type="submit">Send now</button>
      </form>
    </section>
  );
}

function HistoryTable(p: { rows: Notification[] }) {
  return (
    <ScrollBox label="Recent notifications table">
      <table>
        <thead>
          <tr>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Notification</th>
            <th scope="col">To</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Recipients
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
            <th scope="col" class="num">
              Click rate
            </th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((n) => {
            const d = n.deliveries;
            return (
              <tr>
                <td>{when(n.createdAt)}</td>
                <th scope="row">{contentLabel(n)}</th>
                <td>{targetLabel(n.target)}</td>
                <td>
                  {n.status}
                  {n.scheduledAt ? ` for ${when(n.scheduledAt)}` : null}
                </td>
                <td class="num">{n.recipients === null ? "—" : int(n.recipients)}</td>
                <td class="num">{int(d.delivered + d.sent)}</td>
                <td class="num">{int(d.failed + d.expired)}</td>
                <td class="num">{int(d.clicked)}</td>
                <td class="num">{d.delivered > 0 ? pct(d.clicked / d.delivered) : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollBox>
  );
}

async function showPush(
  c: Context<DashEnv>,
  extra: { form?: SendForm; problems?: string[] },
  status: 200 | 400 = 200,
): Promise<Response> {
  const { projectId, role } = await projectOf(c, "read");
  const csrf = sessionOf(c).csrf;
  const ctx = c.get("ctx");
  const toMs = ctx.now();
  const range = { fromMs: toMs - WINDOW_DAYS * DAY_MS + 1, toMs };
  const [subs, deliveries, history] = await Promise.all([
    subscriptionReport({ ctx, projectId, input: range }),
    deliveryReport({ ctx, projectId, input: range }),
    notificationHistory({ ctx, projectId, input: { limit: HISTORY_SHOWN } }),
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
              Notification <code>{justSent}</code> queued
              {Number.isInteger(sentTo) && sentTo >= 0 ? ` for about ${int(sentTo)} subscriptions` : null}.
              Its deliveries appear below as push services answer.
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
          {roleGrants(role, "write") ? (
            <SendPanel
              projectId={projectId}
              csrf={csrf}
              form={extra.form ?? EMPTY_FORM}
              problems={extra.problems ?? []}
            />
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
              <HistoryTable rows={history.notifications} />
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

export function registerPushPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/push", (c) => showPush(c, {}));

  // Send to everyone (the verb behind POST /v1/notifications/broadcast) or to a topic's subscribers.
  dash.post("/p/:project/push/send", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const { form, problems } = readSendForm(await c.req.parseBody());
    if (problems.length > 0) return showPush(c, { form, problems }, 400);
    const content = {
      ...(form.title ? { title: form.title } : {}),
      ...(form.body ? { body: form.body } : {}),
      ...(form.url ? { url: form.url } : {}),
    };
    try {
      const { notification, estimatedRecipients } = await sendNotification({
        ctx: c.get("ctx"),
        projectId,
        input:
          form.audience === "all"
            ? { type: "broadcast", target: { all: true }, content, ttl: 86_400 }
            : { type: "send", target: { topics: [form.topic] }, content, ttl: 86_400 },
      });
      return c.redirect(
        `/app/p/${projectId}/push?sent=${notification.id}&recipients=${estimatedRecipients}`,
        303,
      );
    } catch (err) {
      // A payload too large for a push message, or refused by the verb: shown on the form.
      if (err instanceof AppError && (err.status === 400 || err.status === 413)) {
        return showPush(c, { form, problems: [err.message] }, 400);
      }
      throw err;
    }
  });
}
