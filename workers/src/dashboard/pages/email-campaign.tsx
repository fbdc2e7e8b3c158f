import { type CampaignLiveCounts, type CampaignStatus, campaignLiveCounts } from "@pushbunny/db";
import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { ForbiddenError, NotFoundError } from "../../errors";
import { getCampaign } from "../../services/campaigns/get-campaign";
import { type CampaignAction, TRANSITIONS } from "../../services/campaigns/lib/campaign";
import { listMessages } from "../../services/campaigns/list-messages";
import { openCampaignLive, UpgradeRequiredError } from "../../services/campaigns/live";
import { sendTest } from "../../services/campaigns/send-test";
import { setCampaignStatus } from "../../services/campaigns/set-campaign-status";
import { getExperiment } from "../../services/experiments/get-experiment";
import { getExperimentStats, type VariantStats } from "../../services/stats/get-stats";
import { page, projectOf, sessionOf } from "../context";
import { int, pct, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import { sameOrigin } from "../session";
import type { DashEnv, DashProject } from "../types";
import { ScheduleFields, scheduleOf } from "./email-campaigns";
import { EmailNav, field, formProblem, ID, Problem, StatusBadge } from "./email-nav";

const CAMPAIGN_ID = ID("cmp");
/** The recipients table shows the first rows by batch (the messages verb's order). */
const RECIPIENT_ROWS = 100;
/** Where the live counters still move: the page opens the WebSocket only then. */
const MOVING: readonly CampaignStatus[] = ["scheduled", "sending", "paused"];
const FINAL: readonly CampaignStatus[] = ["sent", "cancelled"];

/** The counters in the order the page shows them, with their words. */
const COUNT_LABELS: [keyof CampaignLiveCounts, string][] = [
  ["recipients", "Recipients"],
  ["queued", "Queued"],
  ["sent", "Sent"],
  ["delivered", "Delivered"],
  ["opened", "Opened"],
  ["clicked", "Clicked"],
  ["bounced", "Bounced"],
  ["complained", "Complained"],
  ["failed", "Failed"],
  ["skipped", "Skipped"],
];

const ACTION_LABEL: Record<CampaignAction, string> = {
  send: "Send now",
  schedule: "Schedule",
  pause: "Pause",
  resume: "Resume",
  cancel: "Cancel campaign",
};

const campaignIdOf = (raw: string) => {
  if (!CAMPAIGN_ID.test(raw)) throw new NotFoundError("campaign not found");
  return raw;
};

const allowed = (action: CampaignAction, status: CampaignStatus) =>
  (TRANSITIONS[action].from as readonly CampaignStatus[]).includes(status);

/**
 * The live counters. The page renders them; static/client.ts then opens `data-live-url` (a
 * WebSocket of counts frames) and updates each `data-count` in place, or, when the socket
 * fails, turns on htmx polling of `data-poll-url` every 5 s. A polled copy carries the polling
 * attributes itself until the campaign is final.
 */
export function LiveCounts(p: {
  base: string;
  status: CampaignStatus;
  counts: CampaignLiveCounts;
  polled?: boolean;
}) {
  const moving = !FINAL.includes(p.status);
  const ws = !p.polled && MOVING.includes(p.status);
  const poll = p.polled && moving;
  return (
    <section
      id="live-counts"
      class="panel"
      aria-labelledby="counts-title"
      aria-live="polite"
      data-live-url={ws ? `${p.base}/live` : undefined}
      data-poll-url={`${p.base}/counts`}
      hx-get={poll ? `${p.base}/counts` : undefined}
      hx-trigger={poll ? "every 5s" : undefined}
      hx-swap={poll ? "outerHTML" : undefined}
    >
      <h2 id="counts-title">
        Delivery{" "}
        <span
          class={`badge ${p.status === "sent" ? "ok" : p.status === "cancelled" ? "bad" : "warn"}`}
          data-live-status
        >
          {p.status}
        </span>
      </h2>
      <dl class="counts">
        {COUNT_LABELS.map(([key, label]) => (
          <div>
            <dt>{label}</dt>
            <dd data-count={key}>{int(p.counts[key])}</dd>
          </div>
        ))}
      </dl>
      <p class="muted" data-live-note>
        {ws ? "Live: the numbers update as the campaign sends." : poll ? "Refreshed every 5 seconds." : ""}
      </p>
    </section>
  );
}

const ZERO: CampaignLiveCounts = {
  recipients: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  bounced: 0,
  complained: 0,
  failed: 0,
  skipped: 0,
};

function ArmTable(p: { rows: VariantStats[]; goal: string }) {
  return (
    <ScrollBox label="Subject lines table">
      <table>
        <caption class="muted">
          Each contact gets one subject line (sticky). P(best) is the posterior chance the line is the best on
          the goal metric ({p.goal === "conversion" ? "clicks" : "opens"}).
        </caption>
        <thead>
          <tr>
            <th scope="col">Subject line</th>
            <th scope="col">Arm</th>
            <th scope="col" class="num">
              Sent
            </th>
            <th scope="col" class="num">
              Opens
            </th>
            <th scope="col" class="num">
              Open rate
            </th>
            <th scope="col" class="num">
              Clicks
            </th>
            <th scope="col" class="num">
              Click rate
            </th>
            <th scope="col" class="num">
              P(best)
            </th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr>
              <th scope="row">{r.variant.text}</th>
              <td>{r.variant.source === "control" ? "control (template)" : r.variant.status}</td>
              <td class="num">{int(r.impressions)}</td>
              <td class="num">{int(r.opens)}</td>
              <td class="num">{pct(r.openRate)}</td>
              <td class="num">{int(r.conversions)}</td>
              <td class="num">{pct(r.conversionRate)}</td>
              <td class="num">{r.statistics ? pct(r.statistics.pBest) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

interface TestResult {
  to: string;
  subject: string;
  status: "accepted" | "failed";
  error: string | null;
}

async function showCampaign(
  c: Context<DashEnv>,
  project: DashProject,
  campaignId: string,
  extra: { error?: string; testError?: string; tested?: TestResult[]; testTo?: string } = {},
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const { projectId, role } = project;
  const ctx = c.get("ctx");
  const csrf = sessionOf(c).csrf;
  const canWrite = roleGrants(role, "write");
  const campaign = await getCampaign({ ctx, projectId, input: { campaignId } });
  const [live, messages, experiment] = await Promise.all([
    campaignLiveCounts(ctx.db, projectId, campaign.id),
    listMessages({ ctx, projectId, input: { campaignId: campaign.id, limit: RECIPIENT_ROWS } }).then(
      (p) => p.messages,
    ),
    campaign.experimentId
      ? getExperiment({ ctx, projectId, input: { experimentId: campaign.experimentId } })
      : Promise.resolve(null),
  ]);
  // The stats of the subject experiment from the rows getExperiment read: the experiment page's read.
  const stats = experiment
    ? await getExperimentStats({
        ctx,
        projectId,
        input: { experiment: experiment.experiment, variants: experiment.variants },
      })
    : null;
  const arms = stats?.variants.filter((v) => v.variant.source !== "holdout") ?? [];
  const subjectOf = new Map((campaign.arms ?? []).map((a) => [a.variantId, a.subject]));
  const base = `/app/p/${projectId}/email/campaigns/${campaign.id}`;
  const failedToSend = c.req.query("failed") === "send";
  return page(
    c,
    {
      title: campaign.name,
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="campaigns" />
          <p>
            <a href={`/app/p/${projectId}/email/campaigns`}>← Campaigns</a>
          </p>
          <h1>
            {campaign.name} <StatusBadge status={live?.status ?? campaign.status} />
          </h1>
          {failedToSend ? (
            <p class="error panel" role="alert">
              The campaign was saved, but it could not be sent or scheduled: use the actions below.
            </p>
          ) : null}
          <Problem message={extra.error} />
          <section class="panel" aria-label="Summary">
            <p>
              <strong>From:</strong> {campaign.from}
              {campaign.replyTo ? ` · reply to ${campaign.replyTo}` : ""}
            </p>
            <p>
              <strong>Template:</strong>{" "}
              <a href={`/app/p/${projectId}/email/templates/${campaign.templateId}`}>{campaign.templateId}</a>{" "}
              · <strong>Audience:</strong>{" "}
              {campaign.segmentId ? (
                <a href={`/app/p/${projectId}/email/segments/${campaign.segmentId}`}>
                  segment {campaign.segmentId}
                </a>
              ) : (
                "every subscribed contact"
              )}
            </p>
            {campaign.subjects.length > 0 ? (
              <p>
                <strong>Subject lines tested:</strong> {campaign.subjects.join(" · ")}
              </p>
            ) : null}
            <p class="muted">
              {campaign.sendAtLocal && campaign.timeZone
                ? `Send at ${campaign.sendAtLocal.replace("T", " ")} in ${
                    campaign.timeZone === "recipient" ? "each recipient's time zone" : campaign.timeZone
                  } (first due ${when(campaign.sendAt)} UTC)`
                : `Send at ${when(campaign.sendAt)} UTC`}{" "}
              · started {when(campaign.startedAt)} · completed {when(campaign.completedAt)}
            </p>
            {campaign.nextDue && campaign.nextDue.length > 0 ? (
              <p class="muted">
                Still due:{" "}
                {campaign.nextDue
                  .slice(0, 6)
                  .map((d) => `${when(d.at)} UTC${d.recipients === null ? "" : ` (${int(d.recipients)})`}`)
                  .join(" · ")}
              </p>
            ) : null}
          </section>
          <LiveCounts base={base} status={live?.status ?? campaign.status} counts={live?.counts ?? ZERO} />
          {canWrite ? (
            <section class="panel" aria-labelledby="actions-title">
              <h2 id="actions-title">Actions</h2>
              <div class="actions">
                {(["send", "pause", "resume"] as const)
                  .filter((a) => allowed(a, campaign.status))
                  .map((a) => (
                    <form method="post" action={`${base}/${a}`}>
                      <Csrf token={csrf} />
                      <button type="submit" class={a === "send" ? undefined : "secondary"}>
                        {ACTION_LABEL[a]}
                      </button>
                    </form>
                  ))}
              </div>
              {allowed("schedule", campaign.status) ? (
                <form class="filters" method="post" action={`${base}/schedule`}>
                  <Csrf token={csrf} />
                  <ScheduleFields required />
                  <button type="submit" class="secondary">
                    Schedule
                  </button>
                </form>
              ) : null}
              {allowed("cancel", campaign.status) ? (
                <form class="filters" method="post" action={`${base}/cancel`}>
                  <Csrf token={csrf} />
                  <label class="check">
                    <input type="checkbox" name="confirm" value="yes" required /> I understand nothing more is
                    sent
                  </label>
                  <button type="submit" class="danger">
                    Cancel campaign
                  </button>
                </form>
              ) : null}
              {!["send", "pause", "resume", "schedule", "cancel"].some((a) =>
                allowed(a as CampaignAction, campaign.status),
              ) ? (
                <p class="muted">A {campaign.status} campaign has no more actions.</p>
              ) : null}
            </section>
          ) : null}
          {canWrite ? (
            <section class="panel" aria-labelledby="test-title">
              <h2 id="test-title">Send a test</h2>
              <p class="muted">
                To members of this project or subscribed contacts (up to 10): one email per subject line,
                marked [Test], not tracked.
              </p>
              <Problem message={extra.testError} />
              {extra.tested ? (
                <ul class="plain" role="status">
                  {extra.tested.map((t) => (
                    <li>
                      <StatusBadge status={t.status === "accepted" ? "sent" : "failed"} /> {t.to}: {t.subject}
                      {t.error ? ` (${t.error})` : ""}
                    </li>
                  ))}
                </ul>
              ) : null}
              <form class="stack" method="post" action={`${base}/test`}>
                <Csrf token={csrf} />
                <label>
                  Addresses (comma or one per line)
                  <textarea name="to" rows={2} required maxlength={3400}>
                    {extra.testTo ?? ""}
                  </textarea>
                </label>
                <button type="submit" class="secondary">
                  Send test
                </button>
              </form>
            </section>
          ) : null}
          <h2>Subject lines</h2>
          {stats && experiment ? (
            <>
              <ArmTable rows={arms} goal={experiment.experiment.goalMetric} />
              <p>
                <a href={`/app/p/${projectId}/experiments/${experiment.experiment.id}`}>
                  The subject experiment: analysis, winner and iteration →
                </a>
              </p>
            </>
          ) : (
            <p class="panel">
              {campaign.subjects.length > 0
                ? "The subject lines become an experiment when the campaign is scheduled or sent."
                : "This campaign sends the template's subject to everyone; add 2-5 subject lines to a new campaign to test them."}
            </p>
          )}
          <h2>Recipients</h2>
          {messages.length === 0 ? (
            <p class="panel">No recipients yet: the list is written when the campaign starts sending.</p>
          ) : (
            <>
              <ScrollBox label="Recipients table">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Address</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="hide-narrow">
                        Subject line
                      </th>
                      <th scope="col">Sent (UTC)</th>
                      <th scope="col" class="hide-narrow">
                        Opened
                      </th>
                      <th scope="col" class="hide-narrow">
                        Clicked
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {messages.map((m) => (
                      <tr>
                        <th scope="row">{m.email}</th>
                        <td>
                          <StatusBadge status={m.status} />
                          {m.error ? <span class="muted"> {m.error}</span> : null}
                        </td>
                        <td class="hide-narrow">
                          {m.variantId ? (
                            (subjectOf.get(m.variantId) ?? m.variantId)
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                        <td>{when(m.sentAt)}</td>
                        <td class="hide-narrow">
                          {when(m.openedAt)}
                          {m.machineOpen ? " (machine)" : ""}
                        </td>
                        <td class="hide-narrow">{when(m.clickedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollBox>
              {messages.length === RECIPIENT_ROWS ? (
                <p class="muted">
                  The first {RECIPIENT_ROWS} recipients by batch; the counters above cover all.
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

/**
 * A campaign's page: the verbs behind GET /v1/campaigns/{id}, …/messages and the subject
 * experiment's stats (read), …/send, …/schedule, …/pause, …/resume, …/cancel and …/test (write),
 * and the live counters (GET /v1/campaigns/{id}/live's service) behind the session.
 */
export function registerCampaignPage(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/campaigns/:campaign", async (c) =>
    showCampaign(c, await projectOf(c, "read"), campaignIdOf(c.req.param("campaign"))),
  );

  // The WebSocket of counts frames (/work/brief16/live.contract). A browser sends Origin on
  // every WebSocket handshake: another site's page must not read the counts with our cookie.
  dash.get("/p/:project/email/campaigns/:campaign/live", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const campaignId = campaignIdOf(c.req.param("campaign"));
    const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
    if (upgrade && !sameOrigin(c))
      throw new ForbiddenError("the live counters open from this site's pages only");
    try {
      return await openCampaignLive(c.get("ctx"), projectId, campaignId, c.req.raw);
    } catch (err) {
      if (err instanceof UpgradeRequiredError) {
        return c.text(err.message, 426, { Upgrade: "websocket" });
      }
      throw err;
    }
  });

  // The polling fallback when the WebSocket fails.
  dash.get("/p/:project/email/campaigns/:campaign/counts", async (c) => {
    const { projectId } = await projectOf(c, "read");
    const campaignId = campaignIdOf(c.req.param("campaign"));
    const live = await campaignLiveCounts(c.get("ctx").db, projectId, campaignId);
    if (!live) throw new NotFoundError(`campaign '${campaignId}' not found`);
    const base = `/app/p/${projectId}/email/campaigns/${campaignId}`;
    return c.html(
      String(await (<LiveCounts base={base} status={live.status} counts={live.counts} polled />)),
    );
  });

  for (const action of ["send", "schedule", "pause", "resume", "cancel"] as const) {
    dash.post(`/p/:project/email/campaigns/:campaign/${action}`, async (c) => {
      const session = sessionOf(c);
      const project = await projectOf(c, "write");
      const campaignId = campaignIdOf(c.req.param("campaign"));
      const form = await c.req.parseBody();
      if (action === "cancel" && field(form, "confirm") !== "yes") {
        return showCampaign(c, project, campaignId, { error: "Tick the box to cancel the campaign." }, 400);
      }
      const asked = action === "schedule" ? scheduleOf(form, c.get("ctx").now()) : null;
      if (asked && "error" in asked) return showCampaign(c, project, campaignId, { error: asked.error }, 400);
      const schedule = asked ?? {};
      try {
        await setCampaignStatus({
          ctx: c.get("ctx"),
          projectId: project.projectId,
          actor: `user:${session.userId}`,
          input: { campaignId, action, ...schedule },
        });
      } catch (err) {
        const problem = formProblem(err);
        return showCampaign(c, project, campaignId, { error: problem.message }, problem.status);
      }
      return c.redirect(`/app/p/${project.projectId}/email/campaigns/${campaignId}`, 303);
    });
  }

  dash.post("/p/:project/email/campaigns/:campaign/test", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "write");
    const campaignId = campaignIdOf(c.req.param("campaign"));
    const form = await c.req.parseBody();
    const raw = field(form, "to");
    const to = raw
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      const result = await sendTest({
        ctx: c.get("ctx"),
        projectId: project.projectId,
        actor: `user:${session.userId}`,
        input: { campaignId, to },
      });
      return showCampaign(c, project, campaignId, { tested: result.results, testTo: raw });
    } catch (err) {
      const problem = formProblem(err);
      return showCampaign(
        c,
        project,
        campaignId,
        { testError: problem.message, testTo: raw },
        problem.status,
      );
    }
  });
}
