import type { NotificationTarget } from "@pushbunny/db";
import type { Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { NotFoundError } from "../../errors";
import type { Notification } from "../../push/notifications";
import { cancelNotification } from "../../services/notifications/cancel-notification";
import { getNotification } from "../../services/notifications/get-notification";
import { projectOf, sessionOf } from "../context";
import { int, pct, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv } from "../types";

export const NOTIFICATION_ID = /^ntf_[A-Za-z0-9_-]{1,64}$/;
/** How often a row still going out asks for its counts again. */
const SENDING_POLL = "every 4s";

/** Still going out: not yet fanned out to its recipients, or some deliveries not yet answered. */
export const isSending = (n: Notification) =>
  n.status === "queued" || (n.status === "dispatched" && (n.recipients === null || n.deliveries.pending > 0));

function targetLabel(t: NotificationTarget): string {
  if (t.all) return "everyone";
  const parts: string[] = [];
  if (t.topics?.length) parts.push(`topics ${t.topics.join(", ")}`);
  if (t.userIds?.length) parts.push(`${int(t.userIds.length)} users`);
  if (t.subscriptionIds?.length) {
    parts.push(
      t.subscriptionIds.length === 1
        ? `subscription ${t.subscriptionIds[0]}`
        : `${int(t.subscriptionIds.length)} subscriptions`,
    );
  }
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

function StatusCell(p: { n: Notification }) {
  const n = p.n;
  if (n.status === "scheduled") return <>scheduled for {when(n.scheduledAt)} UTC</>;
  if (isSending(n)) {
    const answered = n.recipients === null ? 0 : n.recipients - n.deliveries.pending;
    return (
      <span class="badge pending">
        sending
        {n.recipients === null ? "" : ` ${int(Math.max(0, answered))}/${int(n.recipients)}`}
      </span>
    );
  }
  return <>{n.status === "dispatched" ? "sent" : n.status}</>;
}

/**
 * One notification with its delivery counts. While it is still going out the row asks for itself
 * again every few seconds (htmx), and stops once it comes back finished; a scheduled one can be
 * canceled by people who may send.
 */
export function NotificationRow(p: { projectId: string; n: Notification; csrf: string; canWrite: boolean }) {
  const n = p.n;
  const d = n.deliveries;
  const url = `/app/p/${p.projectId}/push/notifications/${n.id}`;
  const sending = isSending(n);
  return (
    <tr
      id={`ntf-${n.id}`}
      hx-get={sending ? `${url}/row` : undefined}
      hx-trigger={sending ? SENDING_POLL : undefined}
      hx-swap={sending ? "outerHTML" : undefined}
    >
      <td>{when(n.createdAt)}</td>
      <th scope="row">{contentLabel(n)}</th>
      <td>{targetLabel(n.target)}</td>
      <td>
        <StatusCell n={n} />
      </td>
      <td class="num">{n.recipients === null ? "—" : int(n.recipients)}</td>
      <td class="num">{int(d.delivered + d.sent)}</td>
      <td class="num">{int(d.failed + d.expired)}</td>
      <td class="num">{int(d.clicked)}</td>
      <td class="num">{d.delivered > 0 ? pct(d.clicked / d.delivered) : "—"}</td>
      {p.canWrite ? (
        <td>
          {n.status === "scheduled" ? (
            <form
              method="post"
              action={`${url}/cancel`}
              hx-post={`${url}/cancel`}
              hx-target={`#ntf-${n.id}`}
              hx-swap="outerHTML"
            >
              <Csrf token={p.csrf} />
              <button
                type="submit"
                class="secondary"
                aria-label={`Cancel the notification scheduled for ${when(n.scheduledAt)}: ${contentLabel(n)}`}
              >
                Cancel
              </button>
            </form>
          ) : (
            <span class="muted">—</span>
          )}
        </td>
      ) : null}
    </tr>
  );
}

export function HistoryTable(p: {
  projectId: string;
  rows: Notification[];
  csrf: string;
  canWrite: boolean;
}) {
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
            {p.canWrite ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {p.rows.map((n) => (
            <NotificationRow projectId={p.projectId} n={n} csrf={p.csrf} canWrite={p.canWrite} />
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

const notificationIdOf = (raw: string) => {
  if (!NOTIFICATION_ID.test(raw)) throw new NotFoundError("notification not found");
  return raw;
};

/**
 * A notification's row alone (the verb behind GET /v1/notifications/{id}, read) for the poll of a
 * send in progress, and cancel (the verb behind DELETE /v1/notifications/{id}, write; 409 once
 * it has gone out).
 */
export function registerNotificationRoutes(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/push/notifications/:notification/row", async (c) => {
    const { projectId, role } = await projectOf(c, "read");
    const id = notificationIdOf(c.req.param("notification"));
    const n = await getNotification({ ctx: c.get("ctx"), projectId, input: { id } });
    const row = await (
      <NotificationRow
        projectId={projectId}
        n={n}
        csrf={sessionOf(c).csrf}
        canWrite={roleGrants(role, "write")}
      />
    );
    return c.html(String(row));
  });

  dash.post("/p/:project/push/notifications/:notification/cancel", async (c) => {
    const { projectId } = await projectOf(c, "write");
    const id = notificationIdOf(c.req.param("notification"));
    const n = await cancelNotification({ ctx: c.get("ctx"), projectId, input: { id } });
    if (c.req.header("hx-request") === "true") {
      const row = await (
        <NotificationRow projectId={projectId} n={n} csrf={sessionOf(c).csrf} canWrite={true} />
      );
      return c.html(String(row));
    }
    return c.redirect(`/app/p/${projectId}/push?canceled=${n.id}`, 303);
  });
}
