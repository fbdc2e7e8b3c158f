import { WEBHOOK_EVENT_TYPES } from "@pushbunny/db";
import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { NotFoundError } from "../../errors";
import { CreateWebhookRequest } from "../../http/routes/webhooks/create-webhook";
import type { AttemptOutcome } from "../../services/webhooks/attempt-delivery";
import { createWebhook } from "../../services/webhooks/create-webhook";
import { getWebhook } from "../../services/webhooks/get-webhook";
import type { WebhookEndpoint } from "../../services/webhooks/lib/endpoint";
import { isDeliveryId, isEndpointId } from "../../services/webhooks/lib/ids";
import { listDeliveries } from "../../services/webhooks/list-deliveries";
import { listWebhooks } from "../../services/webhooks/list-webhooks";
import { retryDelivery } from "../../services/webhooks/retry-delivery";
import { rotateWebhookSecret } from "../../services/webhooks/rotate-secret";
import { sendTestEvent } from "../../services/webhooks/send-test-event";
import { updateWebhook } from "../../services/webhooks/update-webhook";
import { page, projectOf, sessionOf } from "../context";
import { when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv, DashProject } from "../types";
import { formProblem, Problem, StatusBadge } from "./email-nav";
import { SettingsNav } from "./settings-nav";

const DELIVERIES = 50;
/** What a person subscribes to; `webhook.test` is what "Send test event" sends. */
const EVENTS = WEBHOOK_EVENT_TYPES.filter((e) => e !== "webhook.test");

const stateOf = (w: WebhookEndpoint) =>
  w.enabled ? "enabled" : w.disabledReason ? `disabled: ${w.disabledReason}` : "disabled";

/** A secret shown once, at creation or rotation; never in a URL or a cached page. */
function Secret(p: { title: string; secret: string }) {
  return (
    <section class="panel notice" aria-labelledby="secret-title">
      <h2 id="secret-title">{p.title}</h2>
      <p>Copy the signing secret now: this is the only time it is shown.</p>
      <p class="secret" id="webhook-secret">
        {p.secret}
      </p>
    </section>
  );
}

function Outcome(p: { o: AttemptOutcome; what: string }) {
  return (
    <p class={`panel notice${p.o.status === "succeeded" ? "" : " bad"}`} role="status">
      {p.what}: <StatusBadge status={p.o.status === "succeeded" ? "sent" : p.o.status} />{" "}
      {p.o.statusCode !== null ? `HTTP ${p.o.statusCode}` : ""} {p.o.error ?? ""} ({p.o.durationMs} ms)
    </p>
  );
}

async function showList(
  c: Context<DashEnv>,
  project: DashProject,
  extra: {
    error?: string;
    created?: { endpoint: WebhookEndpoint; secret: string };
    form?: Record<string, unknown>;
  } = {},
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const { projectId, role } = project;
  const csrf = sessionOf(c).csrf;
  const canAdmin = roleGrants(role, "admin");
  const listed = await listWebhooks({ ctx: c.get("ctx"), projectId, input: { limit: 100 } });
  const base = `/app/p/${projectId}/settings/webhooks`;
  const f = extra.form ?? {};
  const chosen = new Set([f.events].flat().filter((x): x is string => typeof x === "string"));
  return page(
    c,
    {
      title: "Webhooks",
      projectId,
      current: "settings",
      children: (
        <>
          <SettingsNav projectId={projectId} role={role} current="webhooks" />
          <h1>Webhooks</h1>
          {extra.created ? (
            <Secret title={`Endpoint ${extra.created.endpoint.url} created`} secret={extra.created.secret} />
          ) : null}
          <p class="muted">
            Events are POSTed to your URL signed per the Standard Webhooks spec (webhook-id,
            webhook-timestamp, webhook-signature), retried with backoff for a day, then the endpoint is
            disabled with the reason.
          </p>
          {listed.webhooks.length === 0 ? (
            <p class="panel">No endpoints yet{canAdmin ? ": add one below." : "; an admin can add one."}</p>
          ) : (
            <ScrollBox label="Webhook endpoints table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Events</th>
                    <th scope="col">State</th>
                    <th scope="col" class="hide-narrow">
                      Created (UTC)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.webhooks.map((w) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base}/${w.id}`}>{w.url}</a>
                        {w.description ? <span class="muted"> {w.description}</span> : null}
                      </th>
                      <td>{w.events.join(", ")}</td>
                      <td>{stateOf(w)}</td>
                      <td class="hide-narrow">{when(w.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {canAdmin ? (
            <section class="panel" aria-labelledby="add-title">
              <h2 id="add-title">Add an endpoint</h2>
              <Problem message={extra.error} />
              <form class="stack" method="post" action={base}>
                <Csrf token={csrf} />
                <label>
                  URL (https)
                  <input
                    name="url"
                    type="url"
                    required
                    maxlength={2048}
                    value={typeof f.url === "string" ? f.url : ""}
                  />
                </label>
                <label>
                  Description (optional)
                  <input
                    name="description"
                    maxlength={200}
                    value={typeof f.description === "string" ? f.description : ""}
                  />
                </label>
                <fieldset>
                  <legend>Events</legend>
                  {EVENTS.map((e) => (
                    <label class="check">
                      <input type="checkbox" name="events" value={e} checked={chosen.has(e)} /> {e}
                    </label>
                  ))}
                </fieldset>
                <button type="submit">Add endpoint</button>
              </form>
            </section>
          ) : null}
        </>
      ),
    },
    status,
  );
}

async function showEndpoint(
  c: Context<DashEnv>,
  project: DashProject,
  webhookId: string,
  extra: { error?: string; outcome?: { o: AttemptOutcome; what: string }; rotated?: string } = {},
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const { projectId, role } = project;
  const ctx = c.get("ctx");
  const csrf = sessionOf(c).csrf;
  const canAdmin = roleGrants(role, "admin");
  const cursor = c.req.query("cursor") || undefined;
  const w = await getWebhook({ ctx, projectId, input: { webhookId } });
  const log = await listDeliveries({ ctx, projectId, input: { webhookId, limit: DELIVERIES, cursor } });
  const url = `/app/p/${projectId}/settings/webhooks/${w.id}`;
  return page(
    c,
    {
      title: "Webhook endpoint",
      projectId,
      current: "settings",
      children: (
        <>
          <SettingsNav projectId={projectId} role={role} current="webhooks" />
          <p>
            <a href={`/app/p/${projectId}/settings/webhooks`}>← Webhooks</a>
          </p>
          <h1>{w.url}</h1>
          {extra.rotated ? <Secret title="Secret rotated" secret={extra.rotated} /> : null}
          {extra.outcome ? <Outcome o={extra.outcome.o} what={extra.outcome.what} /> : null}
          <Problem message={extra.error} />
          <section class="panel" aria-label="Endpoint">
            <p>
              <strong>State:</strong> {stateOf(w)} · <strong>Events:</strong> {w.events.join(", ")}
            </p>
            {w.previousSecretExpiresAt ? (
              <p>The previous secret also signs until {when(w.previousSecretExpiresAt)} UTC.</p>
            ) : null}
            {canAdmin ? (
              <div class="actions">
                <form method="post" action={`${url}/test`}>
                  <Csrf token={csrf} />
                  <button type="submit">Send test event</button>
                </form>
                <form method="post" action={`${url}/${w.enabled ? "disable" : "enable"}`}>
                  <Csrf token={csrf} />
                  <button type="submit" class="secondary">
                    {w.enabled ? "Disable" : "Enable"}
                  </button>
                </form>
                <form method="post" action={`${url}/rotate`}>
                  <Csrf token={csrf} />
                  <button type="submit" class="secondary">
                    Rotate secret
                  </button>
                </form>
              </div>
            ) : null}
          </section>
          <h2>Deliveries</h2>
          {log.deliveries.length === 0 ? (
            <p class="panel">No deliveries yet: send a test event, or wait for the next subscribed event.</p>
          ) : (
            <ScrollBox label="Deliveries table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Attempts
                    </th>
                    <th scope="col" class="num">
                      Response
                    </th>
                    <th scope="col">Created (UTC)</th>
                    <th scope="col" class="hide-narrow">
                      Next try
                    </th>
                    {canAdmin ? <th scope="col">Action</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {log.deliveries.map((d) => (
                    <tr>
                      <th scope="row">
                        {d.eventType} <code class="muted">{d.id}</code>
                      </th>
                      <td>
                        <StatusBadge status={d.status === "succeeded" ? "sent" : d.status} />
                        {d.lastError ? <span class="muted"> {d.lastError}</span> : null}
                      </td>
                      <td class="num">{d.attempts}</td>
                      <td class="num">{d.lastStatusCode ?? "—"}</td>
                      <td>{when(d.createdAt)}</td>
                      <td class="hide-narrow">{when(d.nextAttemptAt)}</td>
                      {canAdmin ? (
                        <td>
                          {d.status === "succeeded" ? (
                            <span class="muted">—</span>
                          ) : (
                            <form method="post" action={`${url}/deliveries/${d.id}/retry`}>
                              <Csrf token={csrf} />
                              <button type="submit" class="secondary" aria-label={`Retry delivery ${d.id}`}>
                                Retry
                              </button>
                            </form>
                          )}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {log.nextCursor ? (
            <p class="pager">
              <a href={`${url}?cursor=${encodeURIComponent(log.nextCursor)}`}>Older deliveries →</a>
            </p>
          ) : null}
        </>
      ),
    },
    status,
  );
}

const webhookIdOf = (raw: string) => {
  if (!isEndpointId(raw)) throw new NotFoundError("webhook not found");
  return raw;
};

/**
 * Outbound webhooks (settings): the verbs behind GET /v1/webhooks, …/{id} and …/deliveries
 * (read), and POST /v1/webhooks, PATCH …/{id}, …/test, …/rotate-secret and
 * …/deliveries/{id}/retry (admin).
 */
export function registerWebhookPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/settings/webhooks", async (c) => showList(c, await projectOf(c, "admin")));

  dash.post("/p/:project/settings/webhooks", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "admin");
    const form = await c.req.parseBody({ all: true });
    const events = [form.events].flat().filter((x): x is string => typeof x === "string");
    const description = typeof form.description === "string" ? form.description.trim() : "";
    const body = CreateWebhookRequest.safeParse({
      url: typeof form.url === "string" ? form.url.trim() : "",
      events,
      ...(description ? { description } : {}),
    });
    if (!body.success) {
      const message = body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
      return showList(c, project, { error: message, form }, 400);
    }
    try {
      const created = await createWebhook({
        ctx: c.get("ctx"),
        projectId: project.projectId,
        actor: `user:${session.userId}`,
        input: { url: body.data.url, events: body.data.events, description: body.data.description ?? null },
      });
      // Answered in place, never redirected: the secret must not land in a URL or a cached page.
      return showList(c, project, { created });
    } catch (err) {
      const problem = formProblem(err);
      return showList(c, project, { error: problem.message, form }, problem.status);
    }
  });

  dash.get("/p/:project/settings/webhooks/:webhook", async (c) =>
    showEndpoint(c, await projectOf(c, "admin"), webhookIdOf(c.req.param("webhook"))),
  );

  dash.post("/p/:project/settings/webhooks/:webhook/:action{test|rotate|enable|disable}", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "admin");
    const webhookId = webhookIdOf(c.req.param("webhook"));
    const action = c.req.param("action");
    const ctx = c.get("ctx");
    const actor = `user:${session.userId}`;
    const input = { webhookId };
    try {
      if (action === "test") {
        const o = await sendTestEvent({ ctx, projectId: project.projectId, actor, input });
        return showEndpoint(c, project, webhookId, { outcome: { o, what: "Test event" } });
      }
      if (action === "rotate") {
        const r = await rotateWebhookSecret({ ctx, projectId: project.projectId, actor, input });
        return showEndpoint(c, project, webhookId, { rotated: r.secret });
      }
      await updateWebhook({
        ctx,
        projectId: project.projectId,
        actor,
        input: { webhookId, enabled: action === "enable" },
      });
    } catch (err) {
      const problem = formProblem(err);
      return showEndpoint(c, project, webhookId, { error: problem.message }, problem.status);
    }
    return c.redirect(`/app/p/${project.projectId}/settings/webhooks/${webhookId}`, 303);
  });

  dash.post("/p/:project/settings/webhooks/:webhook/deliveries/:delivery/retry", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "admin");
    const webhookId = webhookIdOf(c.req.param("webhook"));
    const deliveryId = c.req.param("delivery");
    if (!isDeliveryId(deliveryId)) throw new NotFoundError("delivery not found");
    try {
      const o = await retryDelivery({
        ctx: c.get("ctx"),
        projectId: project.projectId,
        actor: `user:${session.userId}`,
        input: { webhookId, deliveryId },
      });
      return showEndpoint(c, project, webhookId, { outcome: { o, what: `Delivery ${deliveryId} again` } });
    } catch (err) {
      const problem = formProblem(err);
      return showEndpoint(c, project, webhookId, { error: problem.message }, problem.status);
    }
  });
}
