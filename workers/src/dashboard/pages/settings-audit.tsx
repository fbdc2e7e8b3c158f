import type { Context, Hono } from "hono";
import { AppError } from "../../errors";
import { AUDIT_ACTION_FILTER, type AuditEntry, listAuditLog } from "../../services/audit/list-audit-log";
import { listMembers } from "../../services/projects/members/list-members";
import { page, projectOf } from "../context";
import { when } from "../format";
import { ScrollBox } from "../layout";
import type { DashEnv } from "../types";
import { issuesOf, SettingsNav } from "./settings-nav";

const PAGE_SIZE = 50;
/** The route's bounds on its query (routes/audit/list-audit-log.ts). */
const ACTION_MAX = 100;
const CURSOR_MAX = 200;
/** The families the log records today, offered as suggestions; any action or family may be typed. */
const FAMILIES = ["api_key.*", "member.*", "invite.*", "project.*", "experiment.*", "push.*", "ads.*"];
const DETAILS_SHOWN = 160;

function detailsText(details: Record<string, unknown>): string {
  const text = Object.entries(details)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("; ");
  return text.length > DETAILS_SHOWN ? `${text.slice(0, DETAILS_SHOWN - 1)}…` : text;
}

function EntryRow(p: { e: AuditEntry; people: Map<string, string> }) {
  const { e } = p;
  const person = e.actor.startsWith("user:") ? p.people.get(e.actor.slice(5)) : undefined;
  return (
    <tr>
      <td>{when(e.at)}</td>
      <td>
        {person ?? e.actor}
        {person ? <span class="muted hide-narrow"> ({e.actor})</span> : null}
      </td>
      <td>
        <code>{e.action}</code>
      </td>
      <td>
        {e.targetType} <code>{e.targetId}</code>
      </td>
      <td class="hide-narrow">{detailsText(e.details)}</td>
      <td class="hide-narrow">
        <code>{e.id}</code>
      </td>
    </tr>
  );
}

async function showAudit(c: Context<DashEnv>): Promise<Response> {
  const me = await projectOf(c, "admin");
  const { projectId } = me;
  const ctx = c.get("ctx");
  const action = (c.req.query("action") ?? "").trim();
  const cursor = c.req.query("cursor") || undefined;
  let error: string | undefined;
  let listed: Awaited<ReturnType<typeof listAuditLog>> = { entries: [], nextCursor: null };
  if (action.length > ACTION_MAX || !(action === "" || AUDIT_ACTION_FILTER.test(action))) {
    error = "action: must be an action such as api_key.revoked, or a family such as api_key.*";
  } else if (cursor !== undefined && cursor.length > CURSOR_MAX) {
    error = "cursor: is not one this page gave: go back to the newest entries";
  } else {
    try {
      listed = await listAuditLog({
        ctx,
        projectId,
        input: { limit: PAGE_SIZE, cursor, action: action || undefined },
      });
    } catch (err) {
      if (!(err instanceof AppError && err.status === 400)) throw err;
      error = issuesOf(err);
    }
  }
  // Actors are ids; the people among them are shown by email when they are still members.
  const people = new Map((await listMembers({ ctx, projectId })).map((m) => [m.userId, m.email]));
  const base = `/app/p/${projectId}/settings/audit-log`;
  const withAction = (extra: string) => {
    const q = new URLSearchParams();
    if (action) q.set("action", action);
    if (extra) q.set("cursor", extra);
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  return page(
    c,
    {
      title: "Audit log",
      projectId,
      current: "settings",
      children: (
        <>
          <SettingsNav projectId={projectId} role={me.role} current="audit" />
          <h1>Audit log</h1>
          <form class="filters" method="get" action={base}>
            <label>
              Action
              <input
                name="action"
                value={action}
                maxlength={ACTION_MAX}
                list="audit-families"
                placeholder="api_key.*"
                aria-invalid={error?.startsWith("action") ? "true" : undefined}
                aria-describedby={error ? "audit-error" : undefined}
              />
            </label>
            <datalist id="audit-families">
              {FAMILIES.map((f) => (
                <option value={f} />
              ))}
            </datalist>
            <button type="submit" class="secondary">
              Filter
            </button>
          </form>
          {error ? (
            <p class="error panel" role="alert" id="audit-error">
              {error}
            </p>
          ) : null}
          {!error && listed.entries.length === 0 ? (
            <p class="panel">
              {action
                ? `No entries for ${action}: clear the filter to see everything.`
                : "Nothing recorded yet: key, member, invite, limit and experiment changes appear here as they happen."}
            </p>
          ) : null}
          {listed.entries.length > 0 ? (
            <ScrollBox label="Audit log table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Time (UTC)</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col" class="hide-narrow">
                      Details
                    </th>
                    <th scope="col" class="hide-narrow">
                      Entry
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.entries.map((e) => (
                    <EntryRow e={e} people={people} />
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          ) : null}
          {cursor || listed.nextCursor ? (
            <nav class="pager" aria-label="Audit log pages">
              {cursor ? <a href={withAction("")}>Newest</a> : null}
              {listed.nextCursor ? <a href={withAction(listed.nextCursor)}>Older</a> : null}
            </nav>
          ) : null}
        </>
      ),
    },
    error ? 400 : 200,
  );
}

export function registerAuditPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/settings/audit-log", showAudit);
}
