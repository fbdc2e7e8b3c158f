import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { classOfForm } from "../src/dashboard/context";
import { escaped, get, ORIGIN, pageOf, post, postMultipart, signedIn } from "./dashboard-helpers";
import { call, eventually, json, seedProject } from "./helpers";

// Issue 16's email pages on the dashboard: contacts and CSV imports, segments, templates,
// campaigns with live counters, the outbox. Each page calls the API's services, opens for the
// route's access level, is a 404 for another project, and its forms need the CSRF token.

const TEMPLATE = {
  name: "Spring",
  subject: "{{name}}, spring is here",
  html: '<p>Hi {{name}},</p><p><a href="https://shop.example.com/spring">Shop</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
};

async function seedEmail() {
  const project = await seedProject({ challengerCount: 0 });
  const key = project.apiKey;
  const template = await json<{ template_id: string }>(
    await call("/v1/templates", { key, body: TEMPLATE }),
    201,
  );
  const segment = await json<{ segment_id: string }>(
    await call("/v1/segments", {
      key,
      body: {
        name: "Pro plan",
        filter: { match: "all", conditions: [{ field: "attributes.plan", op: "equals", value: "pro" }] },
      },
    }),
    201,
  );
  const contacts: string[] = [];
  for (const [email, plan] of [
    ["ada@example.com", "pro"],
    ["grace@example.com", "pro"],
    ["alan@example.com", "free"],
  ] as const) {
    const c = await json<{ contact_id: string }>(
      await call("/v1/contacts", { key, body: { email, name: email.split("@")[0], attributes: { plan } } }),
      201,
    );
    contacts.push(c.contact_id);
  }
  return { ...project, templateId: template.template_id, segmentId: segment.segment_id, contacts };
}

const campaignRow = (id: string) =>
  env.DB.prepare("SELECT status, recipients, sent FROM email_campaigns WHERE id = ?")
    .bind(id)
    .first<{ status: string; recipients: number; sent: number }>();

const locationOf = (res: Response) => res.headers.get("location") ?? "";

describe("email pages: access", () => {
  it("every page renders for a member, a viewer reads but cannot post, and another project's member gets 404s", async () => {
    const a = await seedEmail();
    const b = await seedEmail();
    const member = await signedIn(a.projectId, "member");
    const viewer = await signedIn(a.projectId, "viewer");
    const outsider = await signedIn(b.projectId, "owner");
    const campaign = await json<{ campaign_id: string }>(
      await call("/v1/campaigns", {
        key: a.apiKey,
        body: { name: "Launch", from: "news@shop.example.com", template_id: a.templateId },
      }),
      201,
    );
    const base = `/app/p/${a.projectId}/email`;
    const landing = await get(base, member.jar);
    expect(landing.status).toBe(303);
    expect(locationOf(landing)).toBe(`${base}/campaigns`);
    const pages = [
      `${base}/campaigns`,
      `${base}/campaigns/${campaign.campaign_id}`,
      `${base}/contacts`,
      `${base}/imports`,
      `${base}/segments`,
      `${base}/segments/${a.segmentId}`,
      `${base}/templates`,
      `${base}/templates/${a.templateId}`,
      `${base}/outbox`,
    ];
    for (const path of pages) {
      const { html } = await pageOf(path, member.jar);
      expect(html, path).toContain('aria-current="page">Email</a>');
      const read = await pageOf(path, viewer.jar);
      expect(read.html, path).not.toContain("Create a campaign");
      const other = await get(path, outsider.jar);
      expect(other.status, path).toBe(404);
      // Another project's object through one's own project: a 404 too.
    }
    for (const path of [
      `/app/p/${b.projectId}/email/segments/${a.segmentId}`,
      `/app/p/${b.projectId}/email/templates/${a.templateId}`,
      `/app/p/${b.projectId}/email/campaigns/${campaign.campaign_id}`,
    ]) {
      expect((await get(path, outsider.jar)).status, path).toBe(404);
    }
    // The member's pages carry the forms; the viewer's do not, and a viewer's post is refused.
    const contacts = await pageOf(`${base}/contacts`, member.jar);
    expect(contacts.html).toContain("Add contact");
    const viewerPage = await pageOf(`${base}/contacts`, viewer.jar);
    expect(viewerPage.html).not.toContain("Add contact");
    const refused = await post(`${base}/contacts`, viewer.jar, {
      _csrf: viewerPage.csrf,
      email: "viewer-added@example.com",
    });
    expect(refused.status).toBe(403);
    // No CSRF token, or another site's Origin: 403 before anything is written.
    const noToken = await post(`${base}/contacts`, member.jar, { email: "nocsrf@example.com" });
    expect(noToken.status).toBe(403);
    const crossSite = await post(
      `${base}/contacts`,
      member.jar,
      { _csrf: contacts.csrf, email: "cross@example.com" },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    const written = await env.DB.prepare(
      "SELECT count(*) AS n FROM contacts WHERE project_id = ? AND email IN ('viewer-added@example.com', 'nocsrf@example.com', 'cross@example.com')",
    )
      .bind(a.projectId)
      .first<{ n: number }>("n");
    expect(written).toBe(0);
  });
});

describe("email pages: contacts and imports", () => {
  it("adds, finds, unsubscribes (in place) and suppresses contacts through the forms", async () => {
    const { projectId } = await seedEmail();
    const member = await signedIn(projectId, "member");
    const base = `/app/p/${projectId}/email/contacts`;
    const { csrf } = await pageOf(base, member.jar);
    const added = await post(base, member.jar, {
      _csrf: csrf,
      email: " Marie@Example.COM ",
      name: "Marie <b>",
    });
    expect(added.status, await added.clone().text()).toBe(303);
    const row = await env.DB.prepare(
      "SELECT id, status, name FROM contacts WHERE project_id = ? AND email = ?",
    )
      .bind(projectId, "marie@example.com")
      .first<{ id: string; status: string; name: string }>();
    expect(row).toMatchObject({ status: "subscribed", name: "Marie <b>" });
    const found = await pageOf(locationOf(added), member.jar);
    expect(found.html).toContain("marie@example.com");
    expect(found.html).toContain(escaped("Marie <b>"));
    expect(found.html).not.toContain("ada@example.com");

    const again = await post(base, member.jar, { _csrf: csrf, email: "marie@example.com" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already exists");
    const bad = await post(base, member.jar, { _csrf: csrf, email: "not-an-address" });
    expect(bad.status).toBe(400);

    const swapped = await post(
      `${base}/${row?.id}/unsubscribe`,
      member.jar,
      { _csrf: csrf },
      {
        origin: ORIGIN,
        "hx-request": "true",
      },
    );
    expect(swapped.status).toBe(200);
    const fragment = await swapped.text();
    expect(fragment).toMatch(/^<tr id="contact-ctc_/);
    expect(fragment).toContain(">unsubscribed<");
    const suppressed = await env.DB.prepare(
      "SELECT reason FROM suppressions WHERE project_id = ? AND email = ?",
    )
      .bind(projectId, "marie@example.com")
      .first<{ reason: string }>("reason");
    expect(suppressed).toBe("unsubscribed");

    const sup = await post(`${base}/suppress`, member.jar, {
      _csrf: csrf,
      email: "do-not-mail@example.com",
      reason: "complained",
    });
    expect(sup.status).toBe(200);
    expect(await sup.text()).toContain("do-not-mail@example.com is suppressed (complained)");
    const filtered = await pageOf(`${base}?status=unsubscribed`, member.jar);
    expect(filtered.html).toContain("marie@example.com");
    expect(filtered.html).not.toContain("grace@example.com");
  });

  it("imports a CSV uploaded through the form: progress, counts and the row errors as CSV", async () => {
    const { projectId, apiKey } = await seedEmail();
    const other = await seedEmail();
    const member = await signedIn(projectId, "member");
    const outsider = await signedIn(other.projectId, "owner");
    const { csrf } = await pageOf(`/app/p/${projectId}/email/contacts`, member.jar);
    const csv = [
      "email,name,plan",
      "ada@example.com,Ada Lovelace,team",
      "new1@example.com,New One,pro",
      "new2@example.com,New Two,free",
      "not-an-address,Broken,pro",
    ].join("\n");
    const form = new FormData();
    form.set("_csrf", csrf);
    form.set("file", new File([csv], "contacts.csv", { type: "text/csv" }));
    const res = await postMultipart(`/app/p/${projectId}/email/imports`, member.jar, form);
    expect(res.status, await res.clone().text()).toBe(303);
    const importUrl = locationOf(res);
    expect(importUrl).toMatch(new RegExp(`^/app/p/${projectId}/email/imports/cim_`));
    const first = await pageOf(importUrl, member.jar);
    expect(first.html).toContain("<progress");
    const done = await eventually(async () => {
      const r = await get(`${importUrl}/progress`, member.jar, { "hx-request": "true" });
      const html = await r.text();
      expect(r.status).toBe(200);
      expect(html).toContain(">done<");
      return html;
    }, 20_000);
    // Finished: the box stops polling, and shows what the import did.
    expect(done).not.toContain("hx-trigger");
    expect(done).toMatch(/id="import-created">2</);
    expect(done).toMatch(/id="import-updated">1</);
    expect(done).toMatch(/id="import-failed">1</);
    expect(done).toContain(`${importUrl}/errors.csv`);
    const errors = await get(`${importUrl}/errors.csv`, member.jar);
    expect(errors.status).toBe(200);
    expect(errors.headers.get("content-type")).toContain("text/csv");
    const text = await errors.text();
    expect(text.split("\r\n")[0]).toBe("row,field,message");
    expect(text).toMatch(/^5,email,/m);
    const ada = await env.DB.prepare(
      "SELECT name FROM contacts WHERE project_id = ? AND email = 'ada@example.com'",
    )
      .bind(projectId)
      .first<string>("name");
    expect(ada).toBe("Ada Lovelace");
    // The imports list (the page and GET /v1/contacts/imports) has it, and only in its project.
    const importId = importUrl.split("/").at(-1) ?? "";
    const listPage = await pageOf(`/app/p/${projectId}/email/imports`, member.jar);
    expect(listPage.html).toContain(`href="${importUrl}"`);
    const listed = await json<{ imports: { import_id: string; status: string; inserted: number }[] }>(
      await call("/v1/contacts/imports", { key: apiKey }),
      200,
    );
    expect(listed.imports.map((i) => i.import_id)).toEqual([importId]);
    expect(listed.imports[0]).toMatchObject({ status: "done", inserted: 2 });
    const elsewhere = await json<{ imports: unknown[] }>(
      await call("/v1/contacts/imports", { key: other.apiKey }),
      200,
    );
    expect(elsewhere.imports).toEqual([]);
    // Another project's member reaches neither the import nor its errors.
    const importPath = importUrl.replace(projectId, other.projectId);
    expect((await get(importUrl, outsider.jar)).status).toBe(404);
    expect((await get(importPath, outsider.jar)).status).toBe(404);
    expect((await get(`${importPath}/errors.csv`, outsider.jar)).status).toBe(404);
    // An upload without a file says so.
    const empty = new FormData();
    empty.set("_csrf", csrf);
    empty.set("file", new File([], "empty.csv", { type: "text/csv" }));
    const none = await postMultipart(`/app/p/${projectId}/email/imports`, member.jar, empty);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Choose a CSV file");
  });
});

describe("email pages: segments and templates", () => {
  it("creates a segment from one condition or JSON, counts it now, and deletes it", async () => {
    const { projectId, apiKey } = await seedEmail();
    const member = await signedIn(projectId, "member");
    const base = `/app/p/${projectId}/email/segments`;
    const { csrf } = await pageOf(base, member.jar);
    const made = await post(base, member.jar, {
      _csrf: csrf,
      name: "Free plan",
      field: "attribute",
      attribute: "plan",
      op: "equals",
      value: "free",
    });
    expect(made.status, await made.clone().text()).toBe(303);
    const segmentUrl = locationOf(made);
    const segmentId = segmentUrl.split("/").at(-1) ?? "";
    const shown = await pageOf(segmentUrl, member.jar);
    expect(shown.html).toMatch(new RegExp(`id="count-${segmentId}">1 <`));
    expect(shown.html).toContain("alan@example.com");
    expect(shown.html).not.toContain("ada@example.com");
    // A new contact on the plan: "count now" sees it.
    await json(
      await call("/v1/contacts", {
        key: apiKey,
        body: { email: "free2@example.com", attributes: { plan: "free" } },
      }),
      201,
    );
    const count = await get(`${segmentUrl}/count`, member.jar, { "hx-request": "true" });
    expect(await count.text()).toMatch(/^<span id="count-seg_[^"]+">2 </);

    const json1 = await post(base, member.jar, {
      _csrf: csrf,
      name: "Two plans",
      filter_json: JSON.stringify({
        match: "any",
        conditions: [
          { field: "attributes.plan", op: "equals", value: "pro" },
          { field: "email", op: "starts_with", value: "alan" },
        ],
      }),
    });
    expect(json1.status).toBe(303);
    const two = await pageOf(locationOf(json1), member.jar);
    expect(two.html).toContain("ada@example.com");
    expect(two.html).toContain("alan@example.com");

    const broken = await post(base, member.jar, { _csrf: csrf, name: "Broken", filter_json: "{not json" });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain("not valid JSON");
    const badField = await post(base, member.jar, {
      _csrf: csrf,
      name: "Bad",
      field: "attribute",
      attribute: "Plan!",
      op: "equals",
      value: "x",
    });
    expect(badField.status).toBe(400);
    expect(await badField.text()).toContain("filter.conditions.0.field");

    const deleted = await post(`${segmentUrl}/delete`, member.jar, { _csrf: csrf });
    expect(deleted.status).toBe(303);
    const gone = await env.DB.prepare("SELECT count(*) AS n FROM segments WHERE id = ?")
      .bind(segmentId)
      .first<number>("n");
    expect(gone).toBe(0);
  });

  it("shows a template's preview for a contact inside a sandboxed frame, never inline", async () => {
    const { projectId, apiKey, contacts } = await seedEmail();
    const t = await json<{ template_id: string }>(
      await call("/v1/templates", {
        key: apiKey,
        body: {
          name: "Escapes <i>",
          subject: "Hello {{name}}",
          html: '<p>Dear {{name}}</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
        },
      }),
      201,
    );
    const member = await signedIn(projectId, "member");
    const url = `/app/p/${projectId}/email/templates/${t.template_id}`;
    const sample = await pageOf(url, member.jar);
    expect(sample.html).toContain(escaped("Escapes <i>"));
    // Mail is styled inline, and a srcdoc frame inherits the page's policy: inline styles only.
    const policy = (await get(url, member.jar)).headers.get("content-security-policy") ?? "";
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("frame-ancestors 'none'");
    const frame = /<iframe class="mail" sandbox="" [^>]*srcdoc="([^"]*)"/.exec(sample.html);
    expect(frame, sample.html.slice(0, 3000)).not.toBeNull();
    // The mail's markup is inside the attribute (escaped), not in the page.
    expect(frame?.[1]).toContain("&lt;p&gt;Dear");
    expect(frame?.[1]).toContain("img-src data:");
    expect(sample.html).not.toContain("<p>Dear");
    const forAda = await pageOf(`${url}?contact_id=${contacts[0]}`, member.jar);
    expect(forAda.html).toContain("Hello ada");
    expect(forAda.html).toContain("&lt;p&gt;Dear ada");
    const stranger = await pageOf(`${url}?contact_id=ctc_00000000000000000000`, member.jar);
    expect(stranger.html).toContain("showing the built-in sample contact");
  });
});

describe("email pages: campaigns", () => {
  it("creates and sends a campaign through the forms; its page, the outbox and a test send show the mail", async () => {
    const { projectId, templateId, segmentId } = await seedEmail();
    const member = await signedIn(projectId, "member");
    const base = `/app/p/${projectId}/email/campaigns`;
    const { html: listHtml, csrf } = await pageOf(base, member.jar);
    expect(listHtml).toContain("Create a campaign");
    const invalid = await post(base, member.jar, {
      _csrf: csrf,
      name: "Bad",
      from: "not an address",
      template_id: templateId,
      when: "draft",
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain("from:");

    const res = await post(base, member.jar, {
      _csrf: csrf,
      name: "Pro launch",
      from: "Bunny Shop <news@shop.example.com>",
      template_id: templateId,
      segment_id: segmentId,
      subjects: "Linen season starts today\n{{name}}, linen is back",
      when: "now",
    });
    expect(res.status, await res.clone().text()).toBe(303);
    const url = locationOf(res);
    const campaignId = url.split("/").at(-1) ?? "";
    expect(campaignId).toMatch(/^cmp_/);
    await eventually(async () => {
      expect(await campaignRow(campaignId)).toMatchObject({ status: "sent", recipients: 2, sent: 2 });
    }, 20_000);

    const { html } = await pageOf(url, member.jar);
    expect(html).toMatch(/data-count="recipients">2</);
    expect(html).toMatch(/data-count="sent">2</);
    expect(html).toMatch(/data-count="queued">0</);
    // Sent: no socket to open, no polling.
    expect(html).not.toContain("data-live-url");
    expect(html).toContain("Linen season starts today");
    expect(html).toContain("P(best)");
    expect(html).toContain("ada@example.com");
    expect(html).toContain("grace@example.com");
    expect(html).not.toContain("alan@example.com");
    expect(html).not.toContain("Cancel campaign");
    const experimentId = (
      await env.DB.prepare("SELECT experiment_id FROM email_campaigns WHERE id = ?")
        .bind(campaignId)
        .first<{ experiment_id: string }>()
    )?.experiment_id;
    expect(html).toContain(`/app/p/${projectId}/experiments/${experimentId}`);

    const outbox = await pageOf(`/app/p/${projectId}/email/outbox`, member.jar);
    const links = [...outbox.html.matchAll(/href="(\/app\/p\/[^"]+\/email\/outbox\/[^"]+)"/g)].map(
      (m) => m[1] ?? "",
    );
    expect(links).toHaveLength(2);
    const mail = await pageOf(links[0] ?? "", member.jar);
    expect(mail.html).toMatch(/<iframe class="mail" sandbox="" [^>]*srcdoc="[^"]*Unsubscribe/);
    // Its open pixel cannot load there: reading it here is not the recipient opening it.
    expect(mail.html).toContain("/email/o/emm_");
    expect(mail.html).toContain("img-src data:");

    // A test to a member of the project: one [Test] mail per subject line, in the outbox.
    const page = await pageOf(url, member.jar);
    const tested = await post(`${url}/test`, member.jar, { _csrf: page.csrf, to: member.email });
    expect(tested.status, await tested.clone().text()).toBe(200);
    expect(await tested.text()).toContain("[Test]");
    const refused = await post(`${url}/test`, member.jar, { _csrf: page.csrf, to: "stranger@example.com" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("not a member of the project");
    const after = await pageOf(`/app/p/${projectId}/email/outbox`, member.jar);
    expect((after.html.match(/\[Test\]/g) ?? []).length).toBe(3);
    // A sent campaign cannot be paused: the 409 is shown on its page.
    const pause = await post(`${url}/pause`, member.jar, { _csrf: page.csrf });
    expect(pause.status).toBe(409);
    expect(await pause.text()).toContain("cannot pause");
  });

  it("schedules, pauses and cancels (with the box ticked) a draft through its page", async () => {
    const { projectId, templateId } = await seedEmail();
    const member = await signedIn(projectId, "member");
    const base = `/app/p/${projectId}/email/campaigns`;
    const { csrf } = await pageOf(base, member.jar);
    const made = await post(base, member.jar, {
      _csrf: csrf,
      name: "Later",
      from: "news@shop.example.com",
      template_id: templateId,
      when: "schedule",
      send_at: "2099-01-01T09:00",
    });
    // More than a year ahead: the draft is kept, and its page says the send did not go.
    expect(made.status).toBe(303);
    expect(locationOf(made)).toMatch(/\?failed=send$/);
    const url = locationOf(made).replace(/\?.*$/, "");
    expect((await campaignRow(url.split("/").at(-1) ?? ""))?.status).toBe("draft");
    const soon = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    const noDate = await post(`${url}/schedule`, member.jar, { _csrf: csrf, send_at: "", zone: "utc" });
    expect(noDate.status).toBe(400);
    const scheduled = await post(`${url}/schedule`, member.jar, {
      _csrf: csrf,
      send_at: soon,
      zone: "recipient",
    });
    expect(scheduled.status, await scheduled.clone().text()).toBe(303);
    const id = url.split("/").at(-1) ?? "";
    expect((await campaignRow(id))?.status).toBe("scheduled");
    const zoned = await env.DB.prepare("SELECT send_at_local, time_zone FROM email_campaigns WHERE id = ?")
      .bind(id)
      .first<{ send_at_local: string; time_zone: string }>();
    expect(zoned).toEqual({ send_at_local: soon, time_zone: "recipient" });
    const live = await pageOf(url, member.jar);
    expect(live.html).toContain(`Send at ${soon.replace("T", " ")} in each recipient&#39;s time zone`);
    expect(live.html).toContain(`data-live-url="${url}/live"`);
    expect(live.html).toContain('aria-live="polite"');
    expect((await post(`${url}/pause`, member.jar, { _csrf: csrf })).status).toBe(303);
    expect((await campaignRow(id))?.status).toBe("paused");
    const unticked = await post(`${url}/cancel`, member.jar, { _csrf: csrf });
    expect(unticked.status).toBe(400);
    expect((await campaignRow(id))?.status).toBe("paused");
    expect((await post(`${url}/cancel`, member.jar, { _csrf: csrf, confirm: "yes" })).status).toBe(303);
    expect((await campaignRow(id))?.status).toBe("cancelled");
  });

  it("the live route upgrades to a WebSocket whose first frame is the counts; polling is the fallback", async () => {
    const { projectId, apiKey, templateId } = await seedEmail();
    const other = await seedEmail();
    const member = await signedIn(projectId, "viewer");
    const outsider = await signedIn(other.projectId, "owner");
    const c = await json<{ campaign_id: string }>(
      await call("/v1/campaigns", {
        key: apiKey,
        body: { name: "Live", from: "news@shop.example.com", template_id: templateId },
      }),
      201,
    );
    const url = `/app/p/${projectId}/email/campaigns/${c.campaign_id}`;
    const cookie = `__Host-pb_session=${member.refreshToken}`;
    const upgrade = { upgrade: "websocket", origin: ORIGIN, cookie };
    const res = await exports.default.fetch(`${ORIGIN}${url}/live`, { headers: upgrade });
    expect(res.status).toBe(101);
    const ws = res.webSocket;
    if (!ws) throw new Error("no webSocket on the 101");
    const first = new Promise<string>((resolve) =>
      ws.addEventListener("message", (e) => resolve(String(e.data))),
    );
    ws.accept();
    const frame = JSON.parse(await first) as {
      type: string;
      campaign_id: string;
      status: string;
      counts: Record<string, number>;
    };
    expect(frame).toMatchObject({ type: "counts", campaign_id: c.campaign_id, status: "draft" });
    expect(frame.counts).toMatchObject({ recipients: 0, queued: 0, sent: 0 });
    ws.close(1000, "done");

    // Not from our pages (no Origin), not an upgrade, or another project's member: refused.
    const noOrigin = await exports.default.fetch(`${ORIGIN}${url}/live`, {
      headers: { upgrade: "websocket", cookie },
    });
    expect(noOrigin.status).toBe(403);
    const plain = await get(`${url}/live`, member.jar);
    expect(plain.status).toBe(426);
    const foreign = await exports.default.fetch(
      `${ORIGIN}/app/p/${other.projectId}/email/campaigns/${c.campaign_id}/live`,
      {
        headers: {
          upgrade: "websocket",
          origin: ORIGIN,
          cookie: `__Host-pb_session=${outsider.refreshToken}`,
        },
      },
    );
    expect(foreign.status).toBe(404);

    // The polling copy: polls while the campaign can still move, and not once it is final.
    const polled = await get(`${url}/counts`, member.jar, { "hx-request": "true" });
    const fragment = await polled.text();
    expect(fragment).toContain('hx-trigger="every 5s"');
    expect(fragment).toMatch(/data-count="recipients">0</);
    await call(`/v1/campaigns/${c.campaign_id}/cancel`, { key: apiKey, body: {} });
    const final = await (await get(`${url}/counts`, member.jar, { "hx-request": "true" })).text();
    expect(final).not.toContain("hx-trigger");
    expect(final).toContain(">cancelled<");
  });
});

describe("settings: outbound webhooks", () => {
  it("an admin adds an endpoint (secret shown once), sends a test event, rotates, disables; members get nothing", async () => {
    const { projectId } = await seedProject();
    const other = await seedProject();
    const admin = await signedIn(projectId, "admin");
    const member = await signedIn(projectId, "member");
    const outsider = await signedIn(other.projectId, "owner");
    const base = `/app/p/${projectId}/settings/webhooks`;
    const { html: empty, csrf } = await pageOf(base, admin.jar);
    expect(empty).toContain("No endpoints yet");
    // Endpoints are admin-only, reading included: their URLs often carry credentials.
    expect((await get(base, member.jar)).status).toBe(403);
    const memberPage = await pageOf(`/app/p/${projectId}/email/campaigns`, member.jar);
    const refused = await post(base, member.jar, {
      _csrf: memberPage.csrf,
      url: "https://example.com/hook",
      events: "email.sent",
    });
    expect(refused.status).toBe(403);
    const bad = await post(base, admin.jar, { _csrf: csrf, url: "https://example.com/hook" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("events");

    const receiver = `${(env as unknown as { WEBHOOK_RECEIVER_URL: string }).WEBHOOK_RECEIVER_URL}/hook/dash-${projectId}`;
    const made = await post(base, admin.jar, {
      _csrf: csrf,
      url: receiver,
      description: "CRM <sync>",
      events: ["email.sent", "experiment.winner_declared"],
    });
    expect(made.status, await made.clone().text()).toBe(200);
    const html = await made.text();
    const secret = /id="webhook-secret">([^<]+)</.exec(html)?.[1] ?? "";
    expect(secret).toMatch(/^whsec_/);
    expect(html).toContain(escaped("CRM <sync>"));
    const webhookId = /\/settings\/webhooks\/(whk_[0-9a-f]{20})"/.exec(html)?.[1] ?? "";
    expect(webhookId).not.toBe("");
    const url = `${base}/${webhookId}`;
    // The secret is shown once: never on the endpoint's page.
    expect((await pageOf(url, admin.jar)).html).not.toContain(secret);

    const tested = await post(`${url}/test`, admin.jar, { _csrf: csrf });
    expect(tested.status, await tested.clone().text()).toBe(200);
    const testedHtml = await tested.text();
    expect(testedHtml).toContain("HTTP 200");
    expect(testedHtml).toContain("webhook.test");
    const rotated = await post(`${url}/rotate`, admin.jar, { _csrf: csrf });
    const rotatedHtml = await rotated.text();
    const next = /id="webhook-secret">([^<]+)</.exec(rotatedHtml)?.[1] ?? "";
    expect(next).toMatch(/^whsec_/);
    expect(next).not.toBe(secret);
    expect(rotatedHtml).toContain("The previous secret also signs until");
    expect((await post(`${url}/disable`, admin.jar, { _csrf: csrf })).status).toBe(303);
    const state = await env.DB.prepare("SELECT enabled FROM webhook_endpoints WHERE id = ?")
      .bind(webhookId)
      .first<number>("enabled");
    expect(state).toBe(0);
    expect((await pageOf(url, admin.jar)).html).toContain("disabled");
    expect((await get(url, member.jar)).status).toBe(403);
    expect((await post(`${url}/enable`, member.jar, { _csrf: memberPage.csrf })).status).toBe(403);
    expect((await get(url, outsider.jar)).status).toBe(404);
    expect((await get(`/app/p/${other.projectId}/settings/webhooks/${webhookId}`, outsider.jar)).status).toBe(
      404,
    );
  });
});

describe("dashboard forms spend the API's request classes", () => {
  it("bills every form that sends something outside as notification, the rest as management", () => {
    for (const path of [
      "/app/p/prj_a/push/send",
      "/app/p/prj_a/push/test",
      "/app/p/prj_a/email/campaigns/cmp_1/test",
      "/app/p/prj_a/settings/webhooks/whk_1/test",
      "/app/p/prj_a/settings/webhooks/whk_1/deliveries/whd_1/retry",
    ]) {
      expect(classOfForm(path), path).toBe("notification");
    }
    for (const path of [
      "/app/p/prj_a/email/campaigns/cmp_1/send",
      "/app/p/prj_a/email/campaigns",
      "/app/p/prj_a/settings/webhooks/whk_1/rotate",
      "/app/p/prj_a/email/campaigns/cmp_1/test/extra",
    ]) {
      expect(classOfForm(path), path).toBe("management");
    }
  });
});

describe("email pages: scheduling in UTC", () => {
  it("refuses an impossible or long-past UTC date with the form's inline error (400) and schedules nothing", async () => {
    const { projectId, apiKey, templateId } = await seedEmail();
    const member = await signedIn(projectId, "member");
    const base = `/app/p/${projectId}/email/campaigns`;
    const { csrf } = await pageOf(base, member.jar);
    const draft = await json<{ campaign_id: string }>(
      await call("/v1/campaigns", {
        key: apiKey,
        body: { name: "Feb", from: "news@shop.example.com", template_id: templateId },
      }),
      201,
    );
    const url = `${base}/${draft.campaign_id}`;
    for (const [sendAt, message] of [
      ["2027-02-30T09:00", "send_at: not a real date and time"],
      ["0001-01-01T09:00", "send_at: not a real date and time"],
      ["2020-01-01T09:00", "send_at: in the past"],
    ] as const) {
      const res = await post(`${url}/schedule`, member.jar, { _csrf: csrf, send_at: sendAt, zone: "utc" });
      expect(res.status, sendAt).toBe(400);
      expect(await res.text(), sendAt).toContain(message);
    }
    const row = await env.DB.prepare("SELECT status, send_at FROM email_campaigns WHERE id = ?")
      .bind(draft.campaign_id)
      .first<{ status: string; send_at: number | null }>();
    expect(row).toEqual({ status: "draft", send_at: null });
    // The create form: the same error, the form kept, and no campaign made.
    const made = await post(base, member.jar, {
      _csrf: csrf,
      name: "Feb too",
      from: "news@shop.example.com",
      template_id: templateId,
      when: "schedule",
      send_at: "2027-02-30T09:00",
      zone: "utc",
    });
    expect(made.status).toBe(400);
    const html = await made.text();
    expect(html).toContain("send_at: not a real date and time");
    expect(html).toContain('value="Feb too"');
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM email_campaigns WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });
});
