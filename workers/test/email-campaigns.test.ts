// Issue 16 §3, campaigns: CRUD scoped by project with a cursor, subject lines checked as the
// template's subject, status transitions (409 on an illegal one), the subject experiment the
// engine runs (control = the template's subject, sticky per contact) created on schedule; the
// fan-out through the jobs queue into the outbox, suppression at send time, test sends; Resend
// against a local stub (batching, Idempotency-Key, 429/5xx retried once-only, 4xx failed); and
// open/click tracking reaching /v1/stats through the /v1/events pipeline.
import { env, exports } from "cloudflare:workers";
import { renderTemplate } from "@pushbunny/email";
import { describe, expect, it } from "vitest";
import type { Env } from "../src/env";
import { buildContext } from "../src/infra/build-context";
import type { CampaignBatchJob } from "../src/queue/messages";
import { getCampaign } from "../src/services/campaigns/get-campaign";
import { zonedInstant } from "../src/services/campaigns/lib/time-zone";
import { asMustache, sendCampaignBatch } from "../src/services/campaigns/send-campaign-batch";
import { setCampaignStatus } from "../src/services/campaigns/set-campaign-status";
import { startCampaign } from "../src/services/campaigns/start-campaign";
import { call, eventually, expectError, json, seedMember, seedProject } from "./helpers";

interface CampaignBody {
  campaign_id: string;
  name: string;
  from: string;
  reply_to: string | null;
  template_id: string;
  segment_id: string | null;
  subjects: string[];
  status: string;
  send_at: string | null;
  experiment_id: string | null;
  arms: { variant_id: string; subject: string }[] | null;
  counts: { recipients: number; sent: number; failed: number; skipped: number };
}

const TEMPLATE = {
  name: "Spring",
  subject: "{{name}}, spring is here",
  html: '<p>Hi {{name}},</p><p><a href="https://shop.example.com/spring">Shop</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
};

async function seed() {
  const project = await seedProject({ challengerCount: 0 });
  const template = await json<{ template_id: string }>(
    await call("/v1/templates", { key: project.apiKey, body: TEMPLATE }),
    201,
  );
  return { ...project, templateId: template.template_id };
}

const createCampaign = async (key: string, body: Record<string, unknown>) =>
  json<CampaignBody>(await call("/v1/campaigns", { key, body }), 201);

describe("campaigns CRUD", () => {
  it("creates, reads, lists with a cursor, updates and deletes, scoped to the project", async () => {
    const { projectId, apiKey, templateId } = await seed();
    const other = await seed();
    const c = await createCampaign(apiKey, {
      name: "Spring launch",
      from: "Bunny Shop <news@shop.example.com>",
      reply_to: "help@shop.example.com",
      template_id: templateId,
      subjects: ["Linen season starts today", "{{name}}, linen is back"],
    });
    expect(c).toMatchObject({
      name: "Spring launch",
      status: "draft",
      segment_id: null,
      experiment_id: null,
      counts: { recipients: 0, sent: 0, failed: 0, skipped: 0 },
    });
    expect(c.campaign_id).toMatch(/^cmp_[0-9a-f]{20}$/);
    const row = await env.DB.prepare(
      "SELECT project_id, template_id, subjects, status FROM email_campaigns WHERE id = ?",
    )
      .bind(c.campaign_id)
      .first();
    expect(row).toEqual({
      project_id: projectId,
      template_id: templateId,
      subjects: JSON.stringify(["Linen season starts today", "{{name}}, linen is back"]),
      status: "draft",
    });

    const second = await createCampaign(apiKey, {
      name: "Second",
      from: "news@shop.example.com",
      template_id: templateId,
    });
    const page1 = await json<{ campaigns: CampaignBody[]; next_cursor: string | null }>(
      await call("/v1/campaigns?limit=1", { key: apiKey }),
      200,
    );
    expect(page1.campaigns.map((x) => x.campaign_id)).toEqual([second.campaign_id]);
    const page2 = await json<{ campaigns: CampaignBody[]; next_cursor: string | null }>(
      await call(`/v1/campaigns?limit=1&cursor=${page1.next_cursor}`, { key: apiKey }),
      200,
    );
    expect(page2.campaigns.map((x) => x.campaign_id)).toEqual([c.campaign_id]);
    expect(page2.next_cursor).toBeNull();

    const changed = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { name: "Renamed", subjects: [] },
      }),
      200,
    );
    expect(changed).toMatchObject({ name: "Renamed", subjects: [] });

    // Another project sees none of it.
    await expectError(await call(`/v1/campaigns/${c.campaign_id}`, { key: other.apiKey }), 404, "NOT_FOUND");
    const theirs = await json<{ campaigns: CampaignBody[] }>(
      await call("/v1/campaigns", { key: other.apiKey }),
      200,
    );
    expect(theirs.campaigns).toEqual([]);
    // …and cannot point a campaign at this project's template.
    await expectError(
      await call("/v1/campaigns", {
        key: other.apiKey,
        body: { name: "x", from: "a@example.com", template_id: templateId },
      }),
      404,
      "NOT_FOUND",
    );

    const del = await call(`/v1/campaigns/${second.campaign_id}`, { key: apiKey, method: "DELETE" });
    expect(del.status, await del.clone().text()).toBe(204);
    await expectError(await call(`/v1/campaigns/${second.campaign_id}`, { key: apiKey }), 404, "NOT_FOUND");
  });

  it.each([
    ["one subject line", { subjects: ["Only one"] }, "subjects"],
    ["six subject lines", { subjects: ["a", "b", "c", "d", "e", "f"] }, "subjects"],
    ["the same line twice", { subjects: ["Same", "same"] }, "subjects"],
    ["an unknown variable", { subjects: ["Hi {{nmae}}", "Hello"] }, "subjects.0"],
    ["a line break", { subjects: ["a\nb", "c"] }, "subjects.0"],
    ["a bad from", { from: "not an address" }, "from"],
    ["header injection in from", { from: "Evil <a@b.co>\r\nBcc: x@y.co" }, "from"],
    ["an unknown field", { audience: "everyone" }, ""],
  ])("refuses %s with 400", async (_, patch, path) => {
    const { apiKey, templateId } = await seed();
    const body = { name: "Bad", from: "news@example.com", template_id: templateId, ...patch };
    const error = await expectError(await call("/v1/campaigns", { key: apiKey, body }), 400, "BAD_REQUEST");
    if (path) expect((error.issues as { path: string }[]).map((i) => i.path)).toContain(path);
  });

  it("refuses a segment of another project", async () => {
    const { apiKey, templateId } = await seed();
    const other = await seed();
    const segment = await json<{ segment_id: string }>(
      await call("/v1/segments", {
        key: other.apiKey,
        body: { name: "theirs", filter: { conditions: [{ field: "email", op: "exists" }] } },
      }),
      201,
    );
    await expectError(
      await call("/v1/campaigns", {
        key: apiKey,
        body: { name: "x", from: "a@example.com", template_id: templateId, segment_id: segment.segment_id },
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("campaign status", () => {
  it("schedules (creating the sticky subject experiment), pauses, resumes, cancels; refuses illegal moves with 409", async () => {
    const { apiKey, templateId } = await seed();
    const c = await createCampaign(apiKey, {
      name: "Spring",
      from: "news@example.com",
      template_id: templateId,
      subjects: ["Linen season starts today", "{{name}}, linen is back"],
    });
    const at = new Date(Date.now() + 3600_000).toISOString();
    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/resume`, { key: apiKey, body: {} }),
      409,
      "CONFLICT",
      /cannot resume a campaign that is draft/,
    );
    const scheduled = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/schedule`, { key: apiKey, body: { send_at: at } }),
      200,
    );
    expect(scheduled.status).toBe("scheduled");
    expect(scheduled.send_at).toBe(at);
    expect(scheduled.experiment_id).toMatch(/^exp_/);
    expect(scheduled.arms?.map((a) => a.subject)).toEqual([
      TEMPLATE.subject,
      "Linen season starts today",
      "{{name}}, linen is back",
    ]);

    // The engine's own experiment: intent email:<id>, the template's subject as control, sticky.
    const experiment = await json<{
      intent_id: string;
      strategy: string;
      variants: { variant_id: string; text: string; source: string }[];
    }>(await call(`/v1/experiments/${scheduled.experiment_id}`, { key: apiKey }), 200);
    expect(experiment.intent_id).toBe(`email:${c.campaign_id}`);
    expect(experiment.strategy).toBe("sticky");
    expect(experiment.variants.map((v) => [v.source, v.text])).toEqual([
      ["control", TEMPLATE.subject],
      ["manual", "Linen season starts today"],
      ["manual", "{{name}}, linen is back"],
    ]);
    expect(experiment.variants.map((v) => v.variant_id)).toEqual(scheduled.arms?.map((a) => a.variant_id));

    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey, method: "PATCH", body: { name: "Late" } }),
      409,
      "CONFLICT",
    );
    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey, method: "DELETE" }),
      409,
      "CONFLICT",
    );
    const paused = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/pause`, { key: apiKey, body: {} }),
      200,
    );
    expect(paused.status).toBe("paused");
    // An empty body is fine for the bodiless actions.
    const resumed = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/resume`, {
        key: apiKey,
        raw: "",
        headers: { "content-type": "application/json" },
      }),
      200,
    );
    expect(resumed.status).toBe("scheduled");
    // Scheduling again keeps the one experiment.
    await call(`/v1/campaigns/${c.campaign_id}/pause`, { key: apiKey, body: {} });
    const again = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/schedule`, { key: apiKey, body: { send_at: at } }),
      200,
    );
    expect(again.experiment_id).toBe(scheduled.experiment_id);
    const cancelled = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/cancel`, { key: apiKey, body: {} }),
      200,
    );
    expect(cancelled.status).toBe("cancelled");
    for (const action of ["schedule", "pause", "resume", "cancel"]) {
      await expectError(
        await call(`/v1/campaigns/${c.campaign_id}/${action}`, {
          key: apiKey,
          body: action === "schedule" ? { send_at: at } : {},
        }),
        409,
        "CONFLICT",
      );
    }
    const row = await env.DB.prepare("SELECT status FROM email_campaigns WHERE id = ?")
      .bind(c.campaign_id)
      .first();
    expect(row).toEqual({ status: "cancelled" });
    const del = await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey, method: "DELETE" });
    expect(del.status, await del.clone().text()).toBe(204);
  });

  it("needs send_at to schedule, at most a year ahead", async () => {
    const { apiKey, templateId } = await seed();
    const c = await createCampaign(apiKey, { name: "S", from: "news@example.com", template_id: templateId });
    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/schedule`, { key: apiKey, body: {} }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/schedule`, {
        key: apiKey,
        body: { send_at: "2099-01-01T00:00:00Z" },
      }),
      400,
      "BAD_REQUEST",
    );
    const row = await env.DB.prepare("SELECT status, experiment_id FROM email_campaigns WHERE id = ?")
      .bind(c.campaign_id)
      .first();
    expect(row).toEqual({ status: "draft", experiment_id: null });
  });
});

interface MessageRow {
  message_id: string;
  contact_id: string;
  email: string;
  status: string;
  variant_id: string | null;
  provider_message_id: string | null;
  error: string | null;
  machine_open: boolean | null;
  opened_at: string | null;
  clicked_at: string | null;
}
interface OutboxMail {
  message_id: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string> | null;
  idempotency_key: string;
}

async function seedContacts(key: string, emails: string[]) {
  const ids: string[] = [];
  for (const email of emails) {
    const c = await json<{ contact_id: string }>(
      await call("/v1/contacts", { key, body: { email, name: email.split("@")[0] } }),
      201,
    );
    ids.push(c.contact_id);
  }
  return ids;
}

const messagesOf = async (key: string, campaignId: string) =>
  (
    await json<{ messages: MessageRow[] }>(
      await call(`/v1/campaigns/${campaignId}/messages?limit=500`, { key }),
      200,
    )
  ).messages;

describe("sending through the jobs queue and the outbox, then tracking", () => {
  it("sends once per recipient with a sticky subject, records impressions, and counts a human open and a click in /v1/stats", async () => {
    const { apiKey, templateId } = await seed();
    const emails = ["ada@example.com", "grace@example.com", "alan@example.com"];
    await seedContacts(apiKey, emails);
    const c = await createCampaign(apiKey, {
      name: "Launch",
      from: "Bunny Shop <news@shop.example.com>",
      template_id: templateId,
      subjects: ["Linen season starts today", "Fresh linen for {{name}}"],
    });
    const sent = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/send`, { key: apiKey, body: {} }),
      200,
    );
    expect(sent.status).toBe("scheduled");
    const done = await eventually(async () => {
      const got = await json<CampaignBody>(
        await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey }),
        200,
      );
      expect(got.status).toBe("sent");
      return got;
    });
    expect(done.counts).toEqual({ recipients: 3, sent: 3, failed: 0, skipped: 0 });
    const rows = await messagesOf(apiKey, c.campaign_id);
    expect(rows.map((r) => r.email).sort()).toEqual([...emails].sort());
    const arms = new Map(done.arms?.map((a) => [a.variant_id, a.subject]));
    for (const r of rows) {
      expect(r.status).toBe("sent");
      expect(arms.has(r.variant_id ?? "")).toBe(true);
      expect(r.provider_message_id).toBe(`outbox_${r.message_id}`);
    }

    // The outbox holds each email once, rendered with the arm's subject, tracked links and a pixel.
    const outbox = (
      await json<{ messages: OutboxMail[] }>(await call("/v1/email/outbox?limit=100", { key: apiKey }), 200)
    ).messages;
    expect(outbox).toHaveLength(3);
    for (const mail of outbox) {
      const row = rows.find((r) => r.message_id === mail.message_id);
      const name = mail.to.split("@")[0];
      const armSubject = (arms.get(row?.variant_id ?? "") ?? "").replace("{{name}}", name ?? "");
      expect(mail.subject).toBe(armSubject);
      expect(mail.html).toContain("/email/c/");
      expect(mail.html).not.toContain("https://shop.example.com/spring");
      expect(mail.html).toMatch(/\/email\/o\/[^"]+\.gif/);
      // Mustache escapes `/` and `=` in the href; a browser decodes them.
      expect(mail.html.replace(/&#x2F;/g, "/").replace(/&#x3D;/g, "=")).toContain(
        "/email/unsubscribe?token=prj_",
      );
      expect(mail.idempotency_key).toMatch(new RegExp(`^campaign/${c.campaign_id}/batch/0$`));
    }

    // Each send is an impression of the campaign's experiment, recorded as /v1/message records them.
    const intent = encodeURIComponent(`email:${c.campaign_id}`);
    await eventually(async () => {
      const s = await json<{ total_impressions: number; total_opens: number }>(
        await call(`/v1/stats?intent_id=${intent}`, { key: apiKey }),
        200,
      );
      expect(s.total_impressions).toBe(3);
      expect(s.total_opens).toBe(0);
    });

    const ada = outbox.find((m) => m.to === "ada@example.com");
    const pixel = /\/email\/o\/([^"]+)\.gif/.exec(ada?.html ?? "")?.[1] ?? "";
    const click = /\/email\/c\/([^"]+)"/.exec(ada?.html ?? "")?.[1] ?? "";
    // A privacy proxy's fetch is stored as a machine open and not counted.
    const proxied = await call(`/email/o/${pixel}.gif`, {
      headers: {
        "user-agent":
          "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
      },
    });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get("content-type")).toBe("image/gif");
    // An open within 2 s of the send also counts as a machine; wait past that for the person.
    await new Promise((r) => setTimeout(r, 2_100));
    const human = await call(`/email/o/${pixel}.gif`, {
      headers: { "user-agent": "Mozilla/5.0 (iPhone) Mail" },
    });
    expect(human.status).toBe(200);
    await call(`/email/o/${pixel}.gif`, { headers: { "user-agent": "Mozilla/5.0 (iPhone) Mail" } });
    // A forged token still gets the pixel, and records nothing.
    expect((await call(`/email/o/${pixel.slice(0, -2)}xx.gif`)).status).toBe(200);

    const redirect = await exports.default.fetch(`http://pushbunny.test/email/c/${click}`, {
      redirect: "manual",
    });
    expect(redirect.status, `${click} ${await redirect.clone().text()}`).toBe(302);
    expect(redirect.headers.get("location")).toBe("https://shop.example.com/spring");
    // No open redirect: a token for a link index the message does not have, or a forged one, is a 400 page.
    const [mid] = click.split(".");
    expect((await call(`/email/c/${mid}.z.${click.split(".")[2]}`)).status).toBe(400);
    expect((await call(`/email/c/${click}x`)).status).toBe(400);
    expect((await call("/email/c/https:%2F%2Fevil.example")).status).toBe(400);

    const adaRow = (await messagesOf(apiKey, c.campaign_id)).find((r) => r.email === "ada@example.com");
    expect(adaRow).toMatchObject({ status: "clicked", machine_open: true });
    expect(adaRow?.opened_at).not.toBeNull();
    await eventually(async () => {
      const s = await json<{
        total_impressions: number;
        total_opens: number;
        variants: { variant_id: string; opens: number }[];
      }>(await call(`/v1/stats?intent_id=${intent}`, { key: apiKey }), 200);
      expect(s.total_impressions).toBe(3);
      expect(s.total_opens).toBe(1);
      expect(s.variants.find((v) => v.opens === 1)?.variant_id).toBe(adaRow?.variant_id);
    });
    const conversions = await env.DB.prepare(
      "SELECT type, COUNT(*) AS n FROM events WHERE experiment_id = ? GROUP BY type ORDER BY type",
    )
      .bind(done.experiment_id)
      .all();
    expect(conversions.results).toEqual([
      { type: "conversion", n: 1 },
      { type: "opened", n: 1 },
    ]);
  });

  it("the subject experiment is analysed and iterated like any other; an arm it gains later goes out with its own text", async () => {
    const { apiKey, templateId } = await seed();
    await seedContacts(apiKey, ["lin@example.com", "mo@example.com", "kit@example.com"]);
    const c = await createCampaign(apiKey, {
      name: "Iterated",
      from: "news@shop.example.com",
      template_id: templateId,
      subjects: ["Linen season starts today", "Fresh linen, just in"],
    });
    // Scheduled a day ahead: the experiment exists, nothing is sent yet.
    const scheduled = await json<CampaignBody>(
      await call(`/v1/campaigns/${c.campaign_id}/schedule`, {
        key: apiKey,
        body: { send_at: new Date(Date.now() + 86_400_000).toISOString() },
      }),
      200,
    );
    const experimentId = scheduled.experiment_id ?? "";
    expect(experimentId).toMatch(/^exp_/);

    // Analysis and the next iteration run on the campaign's experiment as on a push experiment.
    const analysis = await json<{
      provider: string;
      decision: string;
      summary: string;
      snapshot: { arms: unknown[] };
    }>(await call(`/v1/experiments/${experimentId}/analyze`, { key: apiKey, method: "POST" }), 200);
    expect(analysis.provider).toBe("offline");
    expect(analysis.decision).toBe("collecting");
    expect(analysis.snapshot.arms).toHaveLength(3);
    const proposal = await json<{ proposal_id: string; challengers: string[] }>(
      await call(`/v1/experiments/${experimentId}/iterate`, { key: apiKey, method: "POST" }),
      201,
    );
    expect(proposal.challengers.length, JSON.stringify(proposal)).toBeGreaterThan(0);
    await json(
      await call(`/v1/experiments/${experimentId}/iterate/${proposal.proposal_id}/confirm`, {
        key: apiKey,
        method: "POST",
      }),
      200,
    );

    // A subject added by hand and declared the winner: every recipient gets it, by its own text.
    const added = await json<{ variant_id: string }>(
      await call(`/v1/experiments/${experimentId}/variants`, {
        key: apiKey,
        body: { text: "Last call for linen" },
      }),
      201,
    );
    await json(
      await call(`/v1/experiments/${experimentId}/winner`, {
        key: apiKey,
        body: { variant_id: added.variant_id, reason: "test" },
      }),
      200,
    );
    await json(await call(`/v1/campaigns/${c.campaign_id}/pause`, { key: apiKey, body: {} }), 200);
    await json(await call(`/v1/campaigns/${c.campaign_id}/send`, { key: apiKey, body: {} }), 200);
    await eventually(async () => {
      const got = await json<CampaignBody>(
        await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey }),
        200,
      );
      expect(got.status).toBe("sent");
    });
    const rows = await messagesOf(apiKey, c.campaign_id);
    expect(rows).toHaveLength(3);
    const outbox = (
      await json<{ messages: OutboxMail[] }>(await call("/v1/email/outbox?limit=100", { key: apiKey }), 200)
    ).messages;
    for (const row of rows) {
      const mail = outbox.find((m) => m.message_id === row.message_id);
      // The holdout, when the project has one, shows the control: the template's own subject.
      if (row.variant_id === added.variant_id) expect(mail?.subject).toBe("Last call for linen");
    }
    expect(rows.filter((r) => r.variant_id === added.variant_id).length).toBeGreaterThan(0);
  });

  it("generated copy's {{key|fallback}} renders in Mustache as the value, or the fallback without one", () => {
    const subject = asMustache("{{ name|Hey there }}, {{attributes.plan|your plan}} renews");
    const render = (name: string | null, plan?: string) =>
      renderTemplate(
        { subject, html: "<p>x</p>" },
        { email: "a@example.com", name, attributes: plan ? { plan } : {} },
      ).subject;
    expect(render("Ada", "Pro")).toBe("Ada, Pro renews");
    expect(render(null)).toBe("Hey there, your plan renews");
    expect(asMustache("Plain {{name}} stays")).toBe("Plain {{name}} stays");
  });

  it("pages recipients and the outbox with cursors, and filters recipients by status", async () => {
    const { apiKey, templateId } = await seed();
    await seedContacts(apiKey, [
      "p1@example.com",
      "p2@example.com",
      "p3@example.com",
      "p4@example.com",
      "p5@example.com",
    ]);
    const c = await createCampaign(apiKey, {
      name: "Paged",
      from: "news@shop.example.com",
      template_id: templateId,
    });
    await json(await call(`/v1/campaigns/${c.campaign_id}/send`, { key: apiKey, body: {} }), 200);
    await eventually(async () => {
      const got = await json<CampaignBody>(
        await call(`/v1/campaigns/${c.campaign_id}`, { key: apiKey }),
        200,
      );
      expect(got.status).toBe("sent");
    });
    const walk = async (path: string, field: "messages", idOf: (m: Record<string, unknown>) => string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const sep = path.includes("?") ? "&" : "?";
        const page: { next_cursor: string | null } & Record<string, Record<string, unknown>[]> = await json(
          await call(`${path}${sep}limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
            key: apiKey,
          }),
          200,
        );
        seen.push(...(page[field] ?? []).map(idOf));
        cursor = page.next_cursor;
        pages++;
      } while (cursor && pages < 10);
      return { seen, pages };
    };
    const recipients = await walk(`/v1/campaigns/${c.campaign_id}/messages`, "messages", (m) =>
      String(m.email),
    );
    expect(recipients.pages).toBe(3);
    expect([...recipients.seen].sort()).toEqual(
      ["p1", "p2", "p3", "p4", "p5"].map((p) => `${p}@example.com`),
    );
    const sentOnly = await walk(`/v1/campaigns/${c.campaign_id}/messages?status=sent`, "messages", (m) =>
      String(m.email),
    );
    expect(sentOnly.seen).toHaveLength(5);
    const none = await json<{ messages: unknown[]; next_cursor: null }>(
      await call(`/v1/campaigns/${c.campaign_id}/messages?status=bounced`, { key: apiKey }),
      200,
    );
    expect(none).toEqual({ messages: [], next_cursor: null });
    const outbox = await walk("/v1/email/outbox", "messages", (m) => String(m.provider_message_id));
    expect(new Set(outbox.seen).size).toBe(5);
    expect(outbox.pages).toBe(3);
    // A cursor it did not issue, or a status that does not exist, is a 400.
    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/messages?cursor=bm90LWEtY3Vyc29y`, { key: apiKey }),
      400,
      "BAD_REQUEST",
    );
    await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/messages?status=lost`, { key: apiKey }),
      400,
      "BAD_REQUEST",
    );
    await expectError(await call("/v1/email/outbox?cursor=%2F%2F", { key: apiKey }), 400, "BAD_REQUEST");
  });

  it("a template is not deleted while a campaign still to send uses it", async () => {
    const { apiKey, templateId } = await seed();
    const c = await createCampaign(apiKey, {
      name: "Live",
      from: "news@example.com",
      template_id: templateId,
    });
    await json(
      await call(`/v1/campaigns/${c.campaign_id}/schedule`, {
        key: apiKey,
        body: { send_at: new Date(Date.now() + 86_400_000).toISOString() },
      }),
      200,
    );
    const refused = await expectError(
      await call(`/v1/templates/${templateId}`, { key: apiKey, method: "DELETE" }),
      409,
      "CONFLICT",
    );
    expect(refused.message).toContain(c.campaign_id);
    await json(await call(`/v1/campaigns/${c.campaign_id}/cancel`, { key: apiKey, method: "POST" }), 200);
    expect((await call(`/v1/templates/${templateId}`, { key: apiKey, method: "DELETE" })).status).toBe(204);
  });

  it("test sends go to at most 10 of the project's own addresses, marked and untracked, with no rows or impressions", async () => {
    const { apiKey, templateId, projectId } = await seed();
    const c = await createCampaign(apiKey, {
      name: "T",
      from: "news@example.com",
      template_id: templateId,
      subjects: ["One line", "Another line"],
    });
    // Tests go to the project's own people only: a subscribed contact or a member.
    await json(await call("/v1/contacts", { key: apiKey, body: { email: "me@example.com" } }), 201);
    const stranger = await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/test`, {
        key: apiKey,
        body: { to: ["stranger@example.net"] },
      }),
      400,
      "BAD_REQUEST",
    );
    expect(stranger.message).toContain("neither");
    await json(await call("/v1/suppressions", { key: apiKey, body: { email: "gone@example.com" } }), 200);
    const gone = await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/test`, { key: apiKey, body: { to: ["gone@example.com"] } }),
      400,
      "BAD_REQUEST",
    );
    expect(gone.message).toContain("suppression list");
    const out = await json<{ results: { to: string; subject: string; status: string }[] }>(
      await call(`/v1/campaigns/${c.campaign_id}/test`, { key: apiKey, body: { to: ["Me@Example.com"] } }),
      200,
    );
    expect(out.results.map((r) => [r.to, r.subject, r.status])).toEqual([
      ["me@example.com", "[Test] Me, spring is here".replace("Me", ""), "accepted"],
      ["me@example.com", "[Test] One line", "accepted"],
      ["me@example.com", "[Test] Another line", "accepted"],
    ]);
    const outbox = (
      await json<{ messages: OutboxMail[] }>(await call("/v1/email/outbox", { key: apiKey }), 200)
    ).messages;
    expect(outbox).toHaveLength(3);
    for (const mail of outbox) {
      expect(mail.html).not.toContain("/email/o/");
      expect(mail.html).not.toContain("/email/c/");
    }
    expect(await messagesOf(apiKey, c.campaign_id)).toEqual([]);
    // A member's address works without being a contact.
    const member = await seedMember(projectId, "member");
    const toMember = await json<{ results: { to: string; status: string }[] }>(
      await call(`/v1/campaigns/${c.campaign_id}/test`, { key: apiKey, body: { to: [member.email] } }),
      200,
    );
    expect(toMember.results.map((r) => r.status)).toEqual(["accepted", "accepted", "accepted"]);
    const error = await expectError(
      await call(`/v1/campaigns/${c.campaign_id}/test`, {
        key: apiKey,
        body: { to: Array.from({ length: 11 }, (_, i) => `p${i}@example.com`) },
      }),
      400,
      "BAD_REQUEST",
    );
    expect(error.issues).not.toEqual([]);
  });
});

/** A context whose transport is Resend (the local stub) and whose jobs queue is a list. */
function resendContext(scenario: string) {
  const apiKey = `re_stub_${scenario}_${crypto.randomUUID().slice(0, 8)}`;
  const jobs: unknown[] = [];
  const pending: Promise<unknown>[] = [];
  const base = buildContext({ ...(env as unknown as Env), RESEND_API_KEY: apiKey }, (p) => pending.push(p));
  const fakeJobs = {
    send: async (body: unknown) => {
      jobs.push(body);
    },
    sendBatch: async (batch: Iterable<{ body: unknown }>) => {
      for (const m of batch) jobs.push(m.body);
    },
  } as unknown as Queue<unknown>;
  const ctx = { ...base, queues: { ...base.queues, jobs: fakeJobs } };
  const stub = (env as unknown as { RESEND_BASE_URL: string }).RESEND_BASE_URL;
  return {
    ctx,
    jobs,
    settle: () => Promise.all(pending),
    calls: async () =>
      (await fetch(`${stub}/__calls/${apiKey}`)).json() as Promise<
        {
          idempotencyKey: string | null;
          status: number;
          emails: { to: string[]; html?: string; headers?: Record<string, string> }[];
        }[]
      >,
    delivered: async () =>
      (await fetch(`${stub}/__delivered/${apiKey}`)).json() as Promise<Record<string, number>>,
  };
}

/** A campaign sent now through the verb, its start job landing in the context's list (not the real queue). */
async function dueCampaign(count: number, r: ReturnType<typeof resendContext>) {
  const { projectId, apiKey, templateId } = await seed();
  await env.DB.prepare(
    `INSERT INTO contacts (id, project_id, email, name, attributes, status, created_at, updated_at)
     SELECT 'ctc_' || lower(hex(randomblob(10))), ?1, 'p' || value || '@example.com', 'P' || value, '{}', 'subscribed', ?2, ?2
     FROM json_each(?3)`,
  )
    .bind(projectId, Date.now(), JSON.stringify(Array.from({ length: count }, (_, i) => i)))
    .run();
  const c = await createCampaign(apiKey, { name: "R", from: "news@example.com", template_id: templateId });
  await setCampaignStatus({
    ctx: r.ctx,
    projectId,
    actor: "test",
    input: { campaignId: c.campaign_id, action: "send" },
  });
  expect(r.jobs.splice(0)).toEqual([{ kind: "campaign_start", projectId, campaignId: c.campaign_id }]);
  return { projectId, apiKey, campaignId: c.campaign_id };
}

async function runBatches(r: ReturnType<typeof resendContext>, rounds = 4) {
  for (let i = 0; i < rounds && r.jobs.length > 0; i++) {
    const batch = r.jobs.splice(0) as CampaignBatchJob[];
    for (const job of batch) await sendCampaignBatch({ ctx: r.ctx, input: job });
  }
  await r.settle();
}

describe("Resend transport against the local stub", () => {
  it("splits 150 recipients into batches of at most 100, each with its Idempotency-Key; suppressed-after-scheduling is skipped", async () => {
    const r = resendContext("ok");
    const { projectId, apiKey, campaignId } = await dueCampaign(151, r);
    await startCampaign({ ctx: r.ctx, input: { kind: "campaign_start", projectId, campaignId } });
    expect(r.jobs).toEqual([
      { kind: "campaign_batch", projectId, campaignId, batch: 0 },
      { kind: "campaign_batch", projectId, campaignId, batch: 1 },
    ]);
    // Suppressed after the rows were written: skipped at send time and counted.
    const victim = await env.DB.prepare(
      "SELECT email FROM email_messages WHERE campaign_id = ? AND batch = 1 LIMIT 1",
    )
      .bind(campaignId)
      .first<{ email: string }>();
    await call("/v1/suppressions", { key: apiKey, body: { email: victim?.email } });
    // The same job twice (redelivery): the second claims nothing and sends nothing.
    r.jobs.push(...r.jobs.slice());
    await runBatches(r);
    const calls = await r.calls();
    expect(calls.map((c) => [c.idempotencyKey, c.emails.length, c.status])).toEqual([
      [`campaign/${campaignId}/batch/0`, 100, 200],
      [`campaign/${campaignId}/batch/1`, 50, 200],
    ]);
    expect(Object.values(await r.delivered()).every((n) => n === 1)).toBe(true);
    const campaign = await json<CampaignBody>(
      await call(`/v1/campaigns/${campaignId}`, { key: apiKey }),
      200,
    );
    expect(campaign.status).toBe("sent");
    expect(campaign.counts).toEqual({ recipients: 151, sent: 150, failed: 0, skipped: 1 });
    const rows = await messagesOf(apiKey, campaignId);
    expect(rows.find((m) => m.email === victim?.email)).toMatchObject({ status: "skipped" });
    expect(rows.find((m) => m.status === "sent")?.provider_message_id).toMatch(/^re_/);
  });

  it.each([
    ["ratelimitedonce", 429],
    ["unavailableonce", 503],
  ])(
    "%s: the batch is queued again with a delay and each message is delivered exactly once",
    async (scenario, status) => {
      const r = resendContext(scenario);
      const { projectId, apiKey, campaignId } = await dueCampaign(3, r);
      await startCampaign({ ctx: r.ctx, input: { kind: "campaign_start", projectId, campaignId } });
      await runBatches(r, 1);
      expect(r.jobs).toEqual([{ kind: "campaign_batch", projectId, campaignId, batch: 0, attempt: 2 }]);
      const between = await messagesOf(apiKey, campaignId);
      expect(between.map((m) => m.status)).toEqual(["queued", "queued", "queued"]);
      await runBatches(r);
      const calls = await r.calls();
      expect(calls.map((c) => [c.idempotencyKey, c.status])).toEqual([
        [`campaign/${campaignId}/batch/0`, status],
        [`campaign/${campaignId}/batch/0`, 200],
      ]);
      expect(Object.values(await r.delivered())).toEqual([1, 1, 1]);
      const campaign = await json<CampaignBody>(
        await call(`/v1/campaigns/${campaignId}`, { key: apiKey }),
        200,
      );
      expect(campaign).toMatchObject({
        status: "sent",
        counts: { recipients: 3, sent: 3, failed: 0, skipped: 0 },
      });
      // Each recipient kept the subject (and the one impression) picked on the first attempt.
      const impressions = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM impressions WHERE experiment_id = ?",
      )
        .bind(campaign.experiment_id)
        .first<{ n: number }>();
      await eventually(async () => {
        const again = await env.DB.prepare("SELECT COUNT(*) AS n FROM impressions WHERE experiment_id = ?")
          .bind(campaign.experiment_id)
          .first<{ n: number }>();
        expect(again?.n).toBe(3);
      });
      expect(impressions?.n ?? 0).toBeLessThanOrEqual(3);
    },
  );

  it("a 4xx marks the messages failed, with no retry", async () => {
    const r = resendContext("invalid");
    const { projectId, apiKey, campaignId } = await dueCampaign(2, r);
    await startCampaign({ ctx: r.ctx, input: { kind: "campaign_start", projectId, campaignId } });
    await runBatches(r, 1);
    expect(r.jobs).toEqual([]);
    const rows = await messagesOf(apiKey, campaignId);
    expect(rows.map((m) => m.status)).toEqual(["failed", "failed"]);
    expect(rows[0]?.error).toMatch(/^rejected: Resend answered 422/);
    const campaign = await json<CampaignBody>(
      await call(`/v1/campaigns/${campaignId}`, { key: apiKey }),
      200,
    );
    expect(campaign).toMatchObject({
      status: "sent",
      counts: { recipients: 2, sent: 0, failed: 2, skipped: 0 },
    });
  });
});

describe("outbound webhook events of a campaign", () => {
  it("emits email.sent for each accepted message (one call per batch), then email.opened and email.clicked on a click", async () => {
    const r = resendContext("ok");
    const { projectId, apiKey, campaignId } = await dueCampaign(3, r);
    const receiver = (env as unknown as { WEBHOOK_RECEIVER_URL: string }).WEBHOOK_RECEIVER_URL;
    await json(
      await call("/v1/webhooks", {
        key: apiKey,
        body: {
          url: `${receiver}/hook/cmp${Date.now().toString(36)}`,
          events: ["email.sent", "email.opened", "email.clicked"],
        },
      }),
      201,
    );
    await startCampaign({ ctx: r.ctx, input: { kind: "campaign_start", projectId, campaignId } });
    await runBatches(r);
    const events = async () =>
      (
        await env.DB.prepare(
          "SELECT event_type, payload FROM webhook_deliveries WHERE project_id = ? ORDER BY event_type, created_at",
        )
          .bind(projectId)
          .all<{ event_type: string; payload: string }>()
      ).results.map((d) => ({
        type: d.event_type,
        data: (JSON.parse(d.payload) as { data: Record<string, string> }).data,
      }));
    const sent = (await events()).filter((e) => e.type === "email.sent");
    const rows = await messagesOf(apiKey, campaignId);
    expect(sent.map((e) => e.data.message_id).sort()).toEqual(rows.map((m) => m.message_id).sort());
    for (const e of sent) {
      const row = rows.find((m) => m.message_id === e.data.message_id);
      expect(e.data).toMatchObject({
        campaign_id: campaignId,
        email: row?.email,
        provider_message_id: row?.provider_message_id,
        variant_id: row?.variant_id,
      });
      expect(Number.isNaN(Date.parse(e.data.occurred_at ?? ""))).toBe(false);
    }
    const html = (await r.calls())[0]?.emails[0]?.html ?? "";
    const click = /\/email\/c\/([^"]+)"/.exec(html)?.[1] ?? "";
    const redirect = await exports.default.fetch(`http://pushbunny.test/email/c/${click}`, {
      redirect: "manual",
    });
    expect(redirect.status).toBe(302);
    await eventually(async () => {
      const after = await events();
      expect(after.filter((e) => e.type === "email.opened")).toHaveLength(1);
      const clicked = after.filter((e) => e.type === "email.clicked");
      expect(clicked).toHaveLength(1);
      expect(clicked[0]?.data.url).toBe("https://shop.example.com/spring");
    });
  });

  it("two concurrent pixel fetches emit one email.opened; a click on a complained message keeps it complained", async () => {
    const r = resendContext("ok");
    const { projectId, apiKey, campaignId } = await dueCampaign(2, r);
    const receiver = (env as unknown as { WEBHOOK_RECEIVER_URL: string }).WEBHOOK_RECEIVER_URL;
    await json(
      await call("/v1/webhooks", {
        key: apiKey,
        body: {
          url: `${receiver}/hook/race${Date.now().toString(36)}`,
          events: ["email.opened", "email.clicked"],
        },
      }),
      201,
    );
    await startCampaign({ ctx: r.ctx, input: { kind: "campaign_start", projectId, campaignId } });
    await runBatches(r);
    // Sent long enough ago that an open is a person's, not a scanner's.
    await env.DB.prepare("UPDATE email_messages SET sent_at = sent_at - 60000 WHERE campaign_id = ?")
      .bind(campaignId)
      .run();
    const [first, second] = (await r.calls()).flatMap((c) => c.emails);
    const pixel = /\/email\/o\/([^"]+)\.gif/.exec(first?.html ?? "")?.[1] ?? "";
    const click = /\/email\/c\/([^"]+)"/.exec(second?.html ?? "")?.[1] ?? "";
    expect(pixel).not.toBe("");
    expect(click).not.toBe("");
    const fetchPixel = () =>
      exports.default.fetch(`http://pushbunny.test/email/o/${pixel}.gif`, {
        headers: { "user-agent": "Mozilla/5.0 (iPhone) Mail" },
      });
    const pixels = await Promise.all([fetchPixel(), fetchPixel(), fetchPixel()]);
    expect(pixels.map((p) => p.status)).toEqual([200, 200, 200]);

    const rowOf = (email: string | undefined) =>
      env.DB.prepare(
        "SELECT id, status, opened_at, clicked_at FROM email_messages WHERE campaign_id = ? AND email = ?",
      )
        .bind(campaignId, email ?? "")
        .first<{ id: string; status: string; opened_at: number | null; clicked_at: number | null }>();
    const complained = await rowOf(second?.to[0]);
    await env.DB.prepare("UPDATE email_messages SET status = 'complained' WHERE id = ?")
      .bind(complained?.id ?? "")
      .run();
    const redirect = await exports.default.fetch(`http://pushbunny.test/email/c/${click}`, {
      redirect: "manual",
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("https://shop.example.com/spring");

    const deliveries = async (type: string) =>
      (
        await env.DB.prepare("SELECT payload FROM webhook_deliveries WHERE project_id = ? AND event_type = ?")
          .bind(projectId, type)
          .all<{ payload: string }>()
      ).results.map((d) => (JSON.parse(d.payload) as { data: { message_id: string } }).data.message_id);
    const opener = await rowOf(first?.to[0]);
    await eventually(async () => {
      const opened = await deliveries("email.opened");
      expect(opened.filter((id) => id === opener?.id)).toHaveLength(1);
      expect(await deliveries("email.clicked")).toEqual([complained?.id]);
    });
    // Let any second emission (before the fix) land, then count again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await deliveries("email.opened")).filter((id) => id === opener?.id)).toHaveLength(1);
    // One opened event for the pixel's message, one for the clicked message (its first open came with the click).
    await eventually(async () => {
      const openEvents = await env.DB.prepare(
        "SELECT COUNT(*) AS n FROM events WHERE project_id = ? AND type = 'opened'",
      )
        .bind(projectId)
        .first<{ n: number }>();
      expect(openEvents?.n).toBe(2);
    });
    expect(opener).toMatchObject({ status: "opened" });
    const after = await rowOf(second?.to[0]);
    expect(after?.status).toBe("complained");
    expect(after?.clicked_at).not.toBeNull();
  });
});

describe("scheduling at a local time", () => {
  it("reads a local time in the project's zone (set on the project), or a named zone; DST gaps move forward", async () => {
    const { projectId, apiKey, templateId } = await seed();
    await expectError(
      await call(`/v1/projects/${projectId}`, {
        method: "PATCH",
        key: apiKey,
        body: { time_zone: "Mars/Olympus" },
      }),
      400,
      "BAD_REQUEST",
      /time_zone: 'Mars\/Olympus' is not an IANA time zone/,
    );
    const project = await json<{ time_zone: string }>(
      await call(`/v1/projects/${projectId}`, {
        method: "PATCH",
        key: apiKey,
        body: { time_zone: "europe/paris" },
      }),
      200,
    );
    expect(project.time_zone).toBe("Europe/Paris");
    const schedule = async (body: Record<string, unknown>) => {
      const c = await createCampaign(apiKey, {
        name: "Local",
        from: "news@example.com",
        template_id: templateId,
      });
      return call(`/v1/campaigns/${c.campaign_id}/schedule`, { key: apiKey, body });
    };
    // Paris is UTC+1 in January.
    const inProject = await json<CampaignBody & { send_at_local: string; time_zone: string }>(
      await schedule({ send_at_local: "2027-01-15T09:00", time_zone: "project" }),
      200,
    );
    expect(inProject).toMatchObject({
      status: "scheduled",
      send_at: "2027-01-15T08:00:00.000Z",
      send_at_local: "2027-01-15T09:00",
      time_zone: "Europe/Paris",
    });
    const read = await json<{ next_due: { at: string; recipients: number | null }[] }>(
      await call(`/v1/campaigns/${inProject.campaign_id}`, { key: apiKey }),
      200,
    );
    expect(read.next_due).toEqual([{ at: "2027-01-15T08:00:00.000Z", recipients: null }]);
    // 02:30 does not exist in New York on 14 March 2027 (02:00 EST → 03:00 EDT): it becomes 03:30 EDT.
    const gap = await json<CampaignBody>(
      await schedule({ send_at_local: "2027-03-14T02:30", time_zone: "America/New_York" }),
      200,
    );
    expect(gap.send_at).toBe("2027-03-14T07:30:00.000Z");
    // London skips 01:00–02:00 on 28 March 2027: 01:30 becomes 02:30 BST, 01:30 UTC.
    const london = await json<CampaignBody>(
      await schedule({ send_at_local: "2027-03-28T01:30", time_zone: "Europe/London" }),
      200,
    );
    expect(london.send_at).toBe("2027-03-28T01:30:00.000Z");
    // A repeated hour is its first occurrence: 01:30 on 7 November 2027 in New York is EDT (UTC-4).
    const local = Date.UTC(2027, 10, 7, 1, 30);
    expect(new Date(zonedInstant(local, "America/New_York")).toISOString()).toBe("2027-11-07T05:30:00.000Z");
    expect(new Date(zonedInstant(Date.UTC(2027, 10, 7, 2, 30), "America/New_York")).toISOString()).toBe(
      "2027-11-07T07:30:00.000Z",
    );
    // Bad input is a 400 naming the field.
    const cases: [Record<string, unknown>, string][] = [
      [{ send_at_local: "2027-01-15T09:00", time_zone: "Nowhere/Else" }, "time_zone"],
      [{ send_at_local: "2027-02-30T09:00", time_zone: "UTC" }, "send_at_local"],
      [{ send_at_local: "2027-01-15 09:00", time_zone: "UTC" }, "send_at_local"],
      [{ send_at_local: "2027-01-15T09:00" }, "time_zone"],
      [{ send_at: "2027-01-15T09:00:00Z", send_at_local: "2027-01-15T09:00", time_zone: "UTC" }, "send_at"],
      [{ send_at: "2027-01-15T09:00:00Z", time_zone: "UTC" }, "time_zone"],
      [{}, "send_at"],
    ];
    for (const [body, path] of cases) {
      const error = await expectError(await schedule(body), 400, "BAD_REQUEST");
      expect(error.issues, JSON.stringify(body)).toContainEqual(expect.objectContaining({ path }));
    }
  });

  it("in recipients' zones: due at UTC+14 first, then each zone's rows at their own instant, once each (fake clock)", async () => {
    const { projectId, apiKey, templateId } = await seed();
    await json(
      await call(`/v1/projects/${projectId}`, {
        method: "PATCH",
        key: apiKey,
        body: { time_zone: "Asia/Tokyo" },
      }),
      200,
    );
    const people = [
      ["kiri@example.com", "Pacific/Kiritimati"],
      ["paris@example.com", "Europe/Paris"],
      ["ny@example.com", "America/New_York"],
      ["nozone@example.com", null],
    ] as const;
    for (const [email, zone] of people) {
      await json(await call("/v1/contacts", { key: apiKey, body: { email, time_zone: zone } }), 201);
    }
    const c = await createCampaign(apiKey, {
      name: "Everywhere at 9",
      from: "news@example.com",
      template_id: templateId,
    });
    const q = fakeQueue(Date.parse("2027-01-10T00:00:00Z"));
    const scheduled = await setCampaignStatus({
      ctx: q.ctx,
      projectId,
      actor: "test",
      input: {
        campaignId: c.campaign_id,
        action: "schedule",
        sendAtLocal: "2027-01-15T09:00",
        timeZone: "recipient",
      },
    });
    const due = {
      kiri: Date.parse("2027-01-14T19:00:00Z"),
      tokyo: Date.parse("2027-01-15T00:00:00Z"),
      paris: Date.parse("2027-01-15T08:00:00Z"),
      ny: Date.parse("2027-01-15T14:00:00Z"),
    };
    expect(scheduled).toMatchObject({
      sendAt: due.kiri,
      sendAtLocal: "2027-01-15T09:00",
      timeZone: "recipient",
    });
    const before = await getCampaign({ ctx: q.ctx, projectId, input: { campaignId: c.campaign_id } });
    expect(before.nextDue).toEqual(
      [due.kiri, due.tokyo, due.paris, due.ny].map((at) => ({ at, recipients: 1 })),
    );

    const sentAt = async () =>
      Object.fromEntries(
        (
          await env.DB.prepare("SELECT email, status, sent_at FROM email_messages WHERE campaign_id = ?")
            .bind(c.campaign_id)
            .all<{ email: string; status: string; sent_at: number | null }>()
        ).results.map((r) => [r.email, r.sent_at]),
      );
    // Nothing before the first zone's instant (the start job hops in 12 hours at most).
    await q.runUntil(due.kiri - 60_000);
    expect(await sentAt()).toEqual({});
    await q.runUntil(due.kiri);
    expect(await sentAt()).toEqual({
      "kiri@example.com": due.kiri,
      "paris@example.com": null,
      "ny@example.com": null,
      "nozone@example.com": null,
    });
    const during = await getCampaign({ ctx: q.ctx, projectId, input: { campaignId: c.campaign_id } });
    expect(during.status).toBe("sending");
    expect(during.nextDue).toEqual([due.tokyo, due.paris, due.ny].map((at) => ({ at, recipients: 1 })));
    // The project's zone (Tokyo) for the contact without one; every other row waits for its own instant.
    await q.runUntil(due.paris - 1);
    expect(await sentAt()).toMatchObject({ "nozone@example.com": due.tokyo, "paris@example.com": null });
    // A started recipient-mode campaign keeps its rows' instants: no rescheduling once paused.
    const paused = await setCampaignStatus({
      ctx: q.ctx,
      projectId,
      actor: "test",
      input: { campaignId: c.campaign_id, action: "pause" },
    });
    expect(paused.status).toBe("paused");
    await expect(
      setCampaignStatus({
        ctx: q.ctx,
        projectId,
        actor: "test",
        input: { campaignId: c.campaign_id, action: "schedule", sendAt: due.ny },
      }),
    ).rejects.toThrow(/rows keep their due times/);
    await setCampaignStatus({
      ctx: q.ctx,
      projectId,
      actor: "test",
      input: { campaignId: c.campaign_id, action: "resume" },
    });
    await q.runUntil(due.ny);
    expect(await sentAt()).toEqual({
      "kiri@example.com": due.kiri,
      "nozone@example.com": due.tokyo,
      "paris@example.com": due.paris,
      "ny@example.com": due.ny,
    });
    const done = await getCampaign({ ctx: q.ctx, projectId, input: { campaignId: c.campaign_id } });
    expect(done).toMatchObject({ status: "sent", counts: { recipients: 4, sent: 4 }, nextDue: [] });
    // Redelivered batch jobs send nothing twice.
    for (const job of q.history.filter((j) => j.kind === "campaign_batch")) {
      await sendCampaignBatch({ ctx: q.ctx, input: job as CampaignBatchJob });
    }
    const outbox = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM email_outbox o JOIN email_messages m ON m.id = o.message_id WHERE m.campaign_id = ?",
    )
      .bind(c.campaign_id)
      .first<{ n: number }>();
    expect(outbox?.n).toBe(4);
    await q.settle();
  });
});

/**
 * A context on a fake clock whose jobs queue is a list honouring delaySeconds: runUntil(t) moves
 * the clock through every due job up to t, running start and batch jobs as the consumer would.
 */
function fakeQueue(start: number) {
  let clock = start;
  const queued: { body: { kind: string }; at: number }[] = [];
  const history: { kind: string }[] = [];
  const pending: Promise<unknown>[] = [];
  const base = buildContext(env as unknown as Env, (p) => pending.push(p));
  const push = (body: unknown, delaySeconds = 0) => {
    queued.push({ body: body as { kind: string }, at: clock + delaySeconds * 1000 });
  };
  const jobs = {
    send: async (body: unknown, opts?: { delaySeconds?: number }) => push(body, opts?.delaySeconds),
    sendBatch: async (batch: Iterable<{ body: unknown; delaySeconds?: number }>) => {
      for (const m of batch) push(m.body, m.delaySeconds);
    },
  } as unknown as Queue<unknown>;
  const ctx = { ...base, now: () => clock, queues: { ...base.queues, jobs } };
  return {
    ctx,
    history,
    settle: () => Promise.all(pending),
    async runUntil(until: number) {
      for (;;) {
        queued.sort((a, b) => a.at - b.at);
        const next = queued[0];
        if (!next || next.at > until) break;
        queued.shift();
        clock = Math.max(clock, next.at);
        history.push(next.body);
        if (next.body.kind === "campaign_start") await startCampaign({ ctx, input: next.body as never });
        else if (next.body.kind === "campaign_batch")
          await sendCampaignBatch({ ctx, input: next.body as never });
      }
      clock = Math.max(clock, until);
    },
  };
}
