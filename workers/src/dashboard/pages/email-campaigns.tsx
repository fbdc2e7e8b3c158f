import type { Context, Hono } from "hono";
import { roleGrants } from "../../access/levels";
import { CreateCampaignRequest } from "../../http/routes/campaigns/create-campaign";
import { createCampaign } from "../../services/campaigns/create-campaign";
import { LOCAL_TIME, parseLocalTime } from "../../services/campaigns/lib/time-zone";
import { listCampaigns } from "../../services/campaigns/list-campaigns";
import { setCampaignStatus } from "../../services/campaigns/set-campaign-status";
import { listSegments } from "../../services/segments/list-segments";
import { listTemplates } from "../../services/templates/list-templates";
import { page, projectOf, sessionOf } from "../context";
import { int, when } from "../format";
import { Csrf, ScrollBox } from "../layout";
import type { DashEnv, DashProject } from "../types";
import { EmailNav, field, formProblem, Problem, StatusBadge } from "./email-nav";

const PAGE_SIZE = 50;
/** The form's choices: the newest templates and segments (each list verb's own bound). */
const CHOICES = 100;

// The API starts a past time at the next due check; older than a day is a typo here, not "now".
const MAX_SCHEDULE_BEHIND_MS = 24 * 3600_000;

/**
 * The schedule a form asks for: `send_at` (a `datetime-local`) read in UTC, the project's zone or
 * each recipient's. The date is checked as a real calendar date by the API's parser (2027-02-30
 * is an error, never March 2, and year 0001 is refused); a UTC time more than a day behind `now` is
 * an error. The API's own bound (at most a year ahead) is left to setCampaignStatus, whose 400 the
 * pages show.
 */
export function scheduleOf(
  form: Record<string, unknown>,
  now: number,
): { sendAt: number } | { sendAtLocal: string; timeZone: "project" | "recipient" } | { error: string } {
  const local = field(form, "send_at");
  if (!LOCAL_TIME.test(local)) return { error: "send_at: choose a date and time" };
  const wall = parseLocalTime(local);
  if (wall === null) return { error: "send_at: not a real date and time" };
  const zone = field(form, "zone");
  if (zone === "project" || zone === "recipient") return { sendAtLocal: local.slice(0, 16), timeZone: zone };
  if (wall < now - MAX_SCHEDULE_BEHIND_MS) return { error: "send_at: in the past (use Send now instead)" };
  return { sendAt: wall };
}

/** The date, time and zone fields of a schedule form. */
export function ScheduleFields(p: { form?: Record<string, unknown>; required?: boolean }) {
  const f = p.form ?? {};
  const zone = field(f, "zone") || "utc";
  return (
    <>
      <label>
        Send at
        <input type="datetime-local" name="send_at" value={field(f, "send_at")} required={p.required} />
      </label>
      <label>
        In the time zone of
        <select name="zone">
          <option value="utc" selected={zone === "utc"}>
            UTC
          </option>
          <option value="project" selected={zone === "project"}>
            the project
          </option>
          <option value="recipient" selected={zone === "recipient"}>
            each recipient (their time_zone, else the project's)
          </option>
        </select>
      </label>
    </>
  );
}

async function showCampaigns(
  c: Context<DashEnv>,
  project: DashProject,
  extra: { error?: string; form?: Record<string, unknown> } = {},
  status: 200 | 400 | 409 = 200,
): Promise<Response> {
  const { projectId, role } = project;
  const ctx = c.get("ctx");
  const csrf = sessionOf(c).csrf;
  const canWrite = roleGrants(role, "write");
  const cursor = c.req.query("cursor") || undefined;
  const [listed, templates, segments] = await Promise.all([
    listCampaigns({ ctx, projectId, input: { limit: PAGE_SIZE, cursor } }),
    canWrite
      ? listTemplates({ ctx, projectId, input: { limit: CHOICES } })
      : Promise.resolve({ templates: [], nextCursor: null }),
    canWrite
      ? listSegments({ ctx, projectId, input: { limit: CHOICES } })
      : Promise.resolve({ segments: [] }),
  ]);
  const base = `/app/p/${projectId}/email/campaigns`;
  const f = extra.form ?? {};
  const when_ = field(f, "when") || "draft";
  return page(
    c,
    {
      title: "Campaigns",
      projectId,
      current: "email",
      children: (
        <>
          <EmailNav projectId={projectId} role={role} current="campaigns" />
          <h1>Campaigns</h1>
          {listed.campaigns.length === 0 ? (
            <p class="panel">
              {cursor ? "No more campaigns." : "No campaigns yet: create one below from a template."}
            </p>
          ) : (
            <ScrollBox label="Campaigns table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Recipients
                    </th>
                    <th scope="col" class="num">
                      Sent
                    </th>
                    <th scope="col" class="num">
                      Failed
                    </th>
                    <th scope="col" class="hide-narrow">
                      Send at (UTC)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {listed.campaigns.map((k) => (
                    <tr>
                      <th scope="row">
                        <a href={`${base}/${k.id}`}>{k.name}</a>
                      </th>
                      <td>
                        <StatusBadge status={k.status} />
                      </td>
                      <td class="num">{int(k.counts.recipients)}</td>
                      <td class="num">{int(k.counts.sent)}</td>
                      <td class="num">{int(k.counts.failed)}</td>
                      <td class="hide-narrow">{when(k.sendAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {listed.nextCursor ? (
            <p class="pager">
              <a href={`${base}?cursor=${encodeURIComponent(listed.nextCursor)}`}>Next campaigns →</a>
            </p>
          ) : null}
          {canWrite ? (
            <section class="panel" aria-labelledby="create-title">
              <h2 id="create-title">Create a campaign</h2>
              {templates.templates.length === 0 ? (
                <p>
                  A campaign sends a template:{" "}
                  <a href={`/app/p/${projectId}/email/templates`}>create a template</a> first.
                </p>
              ) : (
                <>
                  <Problem message={extra.error} />
                  <form class="stack" method="post" action={base}>
                    <Csrf token={csrf} />
                    <label>
                      Name
                      <input name="name" required maxlength={120} value={field(f, "name")} />
                    </label>
                    <label>
                      From (an address, or Name &lt;address&gt;)
                      <input
                        name="from"
                        required
                        maxlength={320}
                        value={field(f, "from")}
                        placeholder="Bunny Shop <news@shop.example.com>"
                      />
                    </label>
                    <label>
                      Template
                      <select name="template_id" required>
                        {templates.templates.map((t) => (
                          <option value={t.id} selected={field(f, "template_id") === t.id}>
                            {t.name}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      Audience
                      <select name="segment_id">
                        <option value="">every subscribed contact</option>
                        {segments.segments.map((s) => (
                          <option value={s.id} selected={field(f, "segment_id") === s.id}>
                            segment: {s.name}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label>
                      Subject lines to test (optional: none, or 2 to 5, one per line; the template's subject
                      is the control)
                      <textarea name="subjects" rows={4} maxlength={2000}>
                        {field(f, "subjects")}
                      </textarea>
                    </label>
                    <fieldset>
                      <legend>When</legend>
                      <label class="check">
                        <input type="radio" name="when" value="draft" checked={when_ === "draft"} /> Save as a
                        draft
                      </label>
                      <label class="check">
                        <input type="radio" name="when" value="now" checked={when_ === "now"} /> Send now
                      </label>
                      <label class="check">
                        <input type="radio" name="when" value="schedule" checked={when_ === "schedule"} />{" "}
                        Schedule at the time below
                      </label>
                      <ScheduleFields form={f} />
                    </fieldset>
                    <button type="submit">Create campaign</button>
                  </form>
                </>
              )}
            </section>
          ) : null}
        </>
      ),
    },
    status,
  );
}

/**
 * Campaigns: the verbs behind GET /v1/campaigns (read; cursor) and POST /v1/campaigns (write; the
 * body checked by the route's own schema), then …/send or …/schedule when the form asks for it.
 */
export function registerCampaignPages(dash: Hono<DashEnv>): void {
  dash.get("/p/:project/email/campaigns", async (c) => showCampaigns(c, await projectOf(c, "read")));

  dash.post("/p/:project/email/campaigns", async (c) => {
    const session = sessionOf(c);
    const project = await projectOf(c, "write");
    const form = await c.req.parseBody();
    const subjects = field(form, "subjects")
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
    const segment = field(form, "segment_id");
    const body = CreateCampaignRequest.safeParse({
      name: field(form, "name"),
      from: field(form, "from"),
      template_id: field(form, "template_id"),
      segment_id: segment || null,
      subjects,
    });
    if (!body.success) {
      const message = body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
      return showCampaigns(c, project, { error: message, form }, 400);
    }
    const whenChoice = field(form, "when");
    const schedule = scheduleOf(form, c.get("ctx").now());
    if (whenChoice === "schedule" && "error" in schedule) {
      return showCampaigns(c, project, { error: schedule.error, form }, 400);
    }
    const ctx = c.get("ctx");
    const actor = `user:${session.userId}`;
    const { projectId } = project;
    const b = body.data;
    let campaignId: string;
    try {
      const created = await createCampaign({
        ctx,
        projectId,
        actor,
        input: {
          name: b.name,
          from: b.from,
          replyTo: null,
          templateId: b.template_id,
          segmentId: b.segment_id ?? null,
          subjects: b.subjects ?? [],
        },
      });
      campaignId = created.id;
    } catch (err) {
      const problem = formProblem(err);
      return showCampaigns(c, project, { error: problem.message, form }, problem.status);
    }
    const url = `/app/p/${projectId}/email/campaigns/${campaignId}`;
    if (whenChoice === "now" || whenChoice === "schedule") {
      try {
        await setCampaignStatus({
          ctx,
          projectId,
          actor,
          input:
            whenChoice === "now" || "error" in schedule
              ? { campaignId, action: "send" }
              : { campaignId, action: "schedule", ...schedule },
        });
      } catch (err) {
        // The draft is saved: its page says so (a fixed text, so no link can put words on our page).
        formProblem(err);
        return c.redirect(`${url}?failed=send`, 303);
      }
    }
    return c.redirect(url, 303);
  });
}
