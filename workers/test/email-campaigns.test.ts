// Issue 16 §3, campaigns: CRUD scoped by project with a cursor, subject lines checked as the
// template's subject, status transitions (409 on an illegal one), and the subject experiment the
// engine runs (control = the template's subject, sticky per contact) created on schedule.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "./helpers";

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
