import { env, exports } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { OWN_ASSETS } from "../src/dashboard/assets";
import {
  csrfOf,
  get,
  jar,
  ORIGIN,
  PRE_SESSION,
  post,
  postMultipart,
  SESSION,
  signedIn,
} from "./dashboard-helpers";
import { call, eventually, experimentWithArms, seedMember, seedProject } from "./helpers";

// The dashboard at /app: sessions in a cookie, CSRF on every form, project scoping and escaping.
// docs/adr/0021-dashboard-stack.md.

const PRE = PRE_SESSION;

describe("dashboard: sign-up, sessions and CSRF", () => {
  it("redirects a visitor to sign in, keeping where they were going", async () => {
    const res = await get("/app/p/prj_whatever/experiments?status=running");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(
      `/app/sign-in?next=${encodeURIComponent("/app/p/prj_whatever/experiments?status=running")}`,
    );
    const htmx = await get("/app/p/prj_whatever", jar(), { "hx-request": "true" });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get("hx-redirect")).toMatch(/^\/app\/sign-in\?next=/);
  });

  it("signs up through the form: a Secure, HttpOnly, SameSite=Lax __Host- cookie, then a first project", async () => {
    const j = jar();
    const form = await get("/app/sign-up", j);
    expect(form.status).toBe(200);
    expect(form.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(form.headers.get("cache-control")).toBe("no-store");
    const { csrf } = await csrfOf(form);
    expect(j.cookies.get(PRE)).toBe(csrf);

    const email = `${newId("usr")}@example.com`;
    const res = await post("/app/sign-up", j, {
      _csrf: csrf,
      email,
      password: "correct horse battery",
      name: "Ada",
    });
    expect(res.status, await res.clone().text()).toBe(303);
    expect(res.headers.get("location")).toBe("/app/projects/new");
    const line = res.headers.getSetCookie().find((l) => l.startsWith(`${SESSION}=`)) ?? "";
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).not.toMatch(/Domain=/i);
    expect(j.cookies.get(SESSION)).toMatch(/^pbr_/);

    const home = await get("/app", j);
    expect(home.status).toBe(303);
    expect(home.headers.get("location")).toBe("/app/projects/new");
    const page = await csrfOf(await get("/app/projects/new", j));
    expect(page.html).toContain("Create your first project");
    const created = await post("/app/projects", j, {
      _csrf: page.csrf,
      name: "Shop",
      default_locale: "en-GB",
    });
    expect(created.status, await created.clone().text()).toBe(303);
    const projectId = /^\/app\/p\/(prj_[\w-]+)$/.exec(created.headers.get("location") ?? "")?.[1];
    expect(projectId).toBeDefined();
    const row = await env.DB.prepare(
      "SELECT p.name, p.default_locale, m.role FROM projects p JOIN project_members m ON m.project_id = p.id JOIN users u ON u.id = m.user_id WHERE p.id = ? AND u.email = ?",
    )
      .bind(projectId, email)
      .first();
    expect(row).toEqual({ name: "Shop", default_locale: "en-GB", role: "owner" });
    const dashboard = await get(`/app/p/${projectId}`, j);
    const html = await dashboard.text();
    expect(dashboard.status, html).toBe(200);
    expect(html).toContain("Send your first message");
    expect(html).toContain(`${ORIGIN}/v1/message`);
  });

  it("signs in with the password and out again, ending the session family", async () => {
    const email = `${newId("usr")}@example.com`;
    const password = "correct horse battery";
    const up = await call("/v1/auth/signup", { body: { email, password } });
    expect(up.status, await up.clone().text()).toBe(201);

    const j = jar();
    const { csrf } = await csrfOf(await get("/app/sign-in", j));
    const wrong = await post("/app/sign-in", j, { _csrf: csrf, email, password: "not the password" });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("invalid email or password");
    expect(j.cookies.has(SESSION)).toBe(false);

    const ok = await post("/app/sign-in", j, { _csrf: csrf, email, password, next: "/app/projects/new" });
    expect(ok.status, await ok.clone().text()).toBe(303);
    expect(ok.headers.get("location")).toBe("/app/projects/new");
    const token = j.cookies.get(SESSION) ?? "";
    const page = await csrfOf(await get("/app/projects/new", j));

    const out = await post("/app/sign-out", j, { _csrf: page.csrf });
    expect(out.status).toBe(303);
    expect(j.cookies.has(SESSION)).toBe(false);
    // The old cookie no longer opens anything: the family is revoked in D1.
    const replay = await get("/app/projects/new", jar([[SESSION, token]]));
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toMatch(/^\/app\/sign-in/);
  });

  it("signing in to the dashboard mints no login key (only the API's login answers with one)", async () => {
    const email = `${newId("usr")}@example.com`;
    const password = "correct horse battery";
    const up = await call("/v1/auth/signup", { body: { email, password } });
    const { access_token, user } = (await up.json()) as { access_token: string; user: { user_id: string } };
    const created = await call("/v1/projects", { key: access_token, body: { name: "Keys" } });
    expect(created.status, await created.clone().text()).toBe(201);

    const j = jar();
    const { csrf } = await csrfOf(await get("/app/sign-in", j));
    const ok = await post("/app/sign-in", j, { _csrf: csrf, email, password });
    expect(ok.status, await ok.clone().text()).toBe(303);
    const count = () =>
      env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE login_user_id = ?")
        .bind(user.user_id)
        .first<number>("n");
    expect(await count()).toBe(0);
    // The API's login still does: the mobile SDKs' `{ api_key }`.
    await call("/v1/auth/login", { body: { email, password } });
    expect(await count()).toBe(1);
  });

  it("never follows a next= to another site", async () => {
    const { projectId } = await seedProject();
    const m = await signedIn(projectId, "owner");
    for (const next of ["https://evil.example/", "//evil.example/app", "/app/../evil", "/v1/projects"]) {
      const res = await get(`/app/sign-in?next=${encodeURIComponent(next)}`, m.jar);
      expect(res.status).toBe(303);
      expect(res.headers.get("location"), next).toBe("/app");
    }
  });

  it("refuses a POST without the session's token, from another origin, or without an Origin", async () => {
    const { projectId } = await seedProject();
    const m = await signedIn(projectId, "owner");
    const { csrf } = await csrfOf(await get("/app/projects/new", m.jar));
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      ["no token", { name: "x1" }, { origin: ORIGIN }],
      [
        "wrong token",
        { name: "x2", _csrf: `${csrf.slice(0, -1)}${csrf.endsWith("0") ? "1" : "0"}` },
        { origin: ORIGIN },
      ],
      ["another origin", { name: "x3", _csrf: csrf }, { origin: "https://evil.example" }],
      ["no origin", { name: "x4", _csrf: csrf }, {}],
      ["another session's token", { name: "x5", _csrf: "a".repeat(48) }, { origin: ORIGIN }],
    ];
    for (const [why, fields, headers] of cases) {
      const res = await post("/app/projects", m.jar, fields, headers);
      expect(res.status, why).toBe(403);
      expect(await res.text(), why).toContain("did not come from this site");
    }
    const made = await env.DB.prepare(
      "SELECT count(*) AS n FROM project_members WHERE user_id = ? AND project_id != ?",
    )
      .bind(m.userId, projectId)
      .first<{ n: number }>();
    expect(made?.n).toBe(0);
    const huge = await post("/app/projects", m.jar, { _csrf: csrf, name: "x".repeat(20_000) });
    expect(huge.status).toBe(400);
    expect(await huge.text()).toContain("too large");
    // The header htmx sends works as well as the field.
    const viaHeader = await post(
      "/app/projects",
      m.jar,
      { name: "via header" },
      { origin: ORIGIN, "x-csrf-token": csrf },
    );
    expect(viaHeader.status, await viaHeader.clone().text()).toBe(303);
    // Same host over another scheme is another origin.
    const otherScheme = await post(
      "/app/projects",
      m.jar,
      { _csrf: csrf, name: "x6" },
      { origin: "https://pushbunny.test" },
    );
    expect(otherScheme.status).toBe(403);
  });

  it("reads no body of a signed-out visitor: a large upload to the import form goes to sign-in, unread", async () => {
    const form = new FormData();
    form.append(
      "file",
      new File(["email\n" + "a@example.com\n".repeat(100_000)], "big.csv", { type: "text/csv" }),
    );
    const anonymous = await postMultipart("/app/p/prj_anything/email/imports", jar(), form);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toMatch(/^\/app\/sign-in\?next=/);
    // Signed in, the file-sized limit holds for the import form only.
    const { projectId } = await seedProject();
    const m = await signedIn(projectId, "owner");
    const elsewhere = await postMultipart(`/app/p/${projectId}/email/contacts`, m.jar, form);
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain("too large");
  });
});

describe("dashboard: project scoping and pages", () => {
  it("shows another project's experiment as a 404 page, by its project or through one's own", async () => {
    const mine = await seedProject();
    const theirs = await experimentWithArms("scoped_intent", ["Theirs only"]);
    const m = await signedIn(mine.projectId, "owner");
    for (const path of [
      `/app/p/${theirs.projectId}/experiments/${theirs.experimentId}`,
      `/app/p/${theirs.projectId}`,
      `/app/p/${theirs.projectId}/settings/keys`,
      `/app/p/${mine.projectId}/experiments/${theirs.experimentId}`,
    ]) {
      const res = await get(path, m.jar);
      const html = await res.text();
      expect(res.status, path).toBe(404);
      expect(html).toContain("Not found");
      expect(html).not.toContain("Theirs only");
    }
  });

  it("lists experiments with their numbers and shows the experiment page, escaping the copy", async () => {
    const xss = `<script>alert("pwn")</script><img src=x onerror=alert(1)>`;
    const e = await experimentWithArms("xss_intent", [`Hi ${xss}`], `Cart ${xss}`);
    const m = await signedIn(e.projectId, "viewer");
    const list = await get(`/app/p/${e.projectId}/experiments`, m.jar);
    const listHtml = await list.text();
    expect(list.status, listHtml).toBe(200);
    expect(listHtml).toContain(`/app/p/${e.projectId}/experiments/${e.experimentId}`);
    expect(listHtml).toContain("xss_intent");

    const res = await get(`/app/p/${e.projectId}/experiments/${e.experimentId}`, m.jar);
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;alert(");
    // Every script the page loads comes from this origin, with its version in the URL.
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((s) => s[1] ?? "");
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts)
      expect(attrs).toMatch(/src="\/app\/(assets\/vendor\/[\w.-]+@[\d.]+|static\/app-[0-9a-f]{8})/);
    expect(html).toContain("Variants");
    expect(html).toContain("P(best)");
  });

  it("home lists what needs attention: a winner, an SRM alarm, a failed generation; not the rest", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    const ids: Record<string, string> = {};
    for (const intent of ["has_winner", "has_srm", "gen_failed", "all_quiet"]) {
      const res = await call("/v1/message", {
        key: apiKey,
        body: { intent_id: intent, base_example: `Copy ${intent}` },
      });
      ids[intent] = (await res.json<{ experiment_id: string }>()).experiment_id;
    }
    const verdict = (status: string, reason: string) =>
      JSON.stringify({ status, variantId: null, reason, lowArms: [], at: Date.now() });
    await env.DB.batch([
      env.DB.prepare("UPDATE experiments SET decision = ? WHERE id = ?").bind(
        verdict("winner", "B beats A"),
        ids.has_winner,
      ),
      env.DB.prepare("UPDATE experiments SET decision = ? WHERE id = ?").bind(
        verdict("srm_alarm", "split 70/30, expected 50/50"),
        ids.has_srm,
      ),
      env.DB.prepare(
        "UPDATE experiments SET generation_status = 'failed', generation_error = 'model <refused>' WHERE id = ?",
      ).bind(ids.gen_failed),
    ]);
    const m = await signedIn(projectId, "viewer");
    const res = await get(`/app/p/${projectId}`, m.jar);
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(html).toContain("4 experiments, 4 running.");
    const listed = [...html.matchAll(/experiments\/(exp_[\w-]+)">/g)].map((x) => x[1]);
    expect(new Set(listed)).toEqual(new Set([ids.has_winner, ids.has_srm, ids.gen_failed]));
    expect(html).toContain("a winner is ready: B beats A");
    expect(html).toContain("sample ratio mismatch: split 70/30");
    expect(html).toContain("challenger generation failed: model &lt;refused&gt;");
  });

  it("pauses and resumes an experiment from its page (members may, viewers may not)", async () => {
    const e = await experimentWithArms("pause_intent", ["Challenger"]);
    const path = `/app/p/${e.projectId}/experiments/${e.experimentId}`;
    const status = async () =>
      (await env.DB.prepare("SELECT status FROM experiments WHERE id = ?").bind(e.experimentId).first())
        ?.status;

    const viewer = await signedIn(e.projectId, "viewer");
    const seen = await csrfOf(await get(path, viewer.jar));
    expect(seen.html).not.toContain("Pause: everyone gets the control");
    const refused = await post(`${path}/status`, viewer.jar, { _csrf: seen.csrf, status: "paused" });
    expect(refused.status).toBe(403);
    expect(await status()).toBe("running");

    const member = await signedIn(e.projectId, "member");
    const { csrf, html } = await csrfOf(await get(path, member.jar));
    expect(html).toContain("Pause: everyone gets the control");
    const paused = await post(`${path}/status`, member.jar, {
      _csrf: csrf,
      status: "paused",
      reason: "holiday <sale>",
    });
    expect(paused.status, await paused.clone().text()).toBe(303);
    expect(paused.headers.get("location")).toBe(path);
    expect(await status()).toBe("paused");
    const history = await env.DB.prepare(
      "SELECT actor, reason FROM experiment_history WHERE experiment_id = ? AND action = 'paused'",
    )
      .bind(e.experimentId)
      .first();
    expect(history).toEqual({ actor: `user:${member.userId}`, reason: "holiday <sale>" });
    const after = await (await get(path, member.jar)).text();
    expect(after).toContain("Resume the experiment");
    expect(after).toContain("holiday &lt;sale&gt;");
    const resumed = await post(`${path}/status`, member.jar, { _csrf: csrf, status: "running" });
    expect(resumed.status).toBe(303);
    expect(await status()).toBe("running");
  });

  it("declares a winner and retires an arm from the variants table", async () => {
    const e = await experimentWithArms("arms_intent", ["Second copy", "Third copy"]);
    const path = `/app/p/${e.projectId}/experiments/${e.experimentId}`;
    const [control, second, third] = e.variants;
    const viewer = await signedIn(e.projectId, "viewer");
    expect(await (await get(path, viewer.jar)).text()).not.toContain("Declare winner");

    const member = await signedIn(e.projectId, "member");
    const { csrf, html } = await csrfOf(await get(path, member.jar));
    expect(html).toContain(`${path}/variants/${third?.id}/retire`);
    // The control cannot be retired, so it has no such button.
    expect(html).not.toContain(`${path}/variants/${control?.id}/retire`);
    // Without the ticked box, retiring goes to its confirm page and changes nothing.
    const unconfirmed = await post(`${path}/variants/${third?.id}/retire`, member.jar, { _csrf: csrf });
    expect(unconfirmed.status).toBe(303);
    expect(new URL(unconfirmed.headers.get("location") ?? "", "http://x").pathname).toBe(
      `${path}/variants/${third?.id}/retire`,
    );
    const still = await env.DB.prepare("SELECT status FROM variants WHERE id = ?")
      .bind(third?.id ?? "")
      .first<{ status: string }>();
    expect(still?.status).toBe("active");
    const retired = await post(`${path}/variants/${third?.id}/retire`, member.jar, {
      _csrf: csrf,
      confirm: "yes",
    });
    expect(retired.status, await retired.clone().text()).toBe(303);
    const won = await post(`${path}/variants/${second?.id}/winner`, member.jar, { _csrf: csrf });
    expect(won.status, await won.clone().text()).toBe(303);
    const { results } = await env.DB.prepare("SELECT id, status FROM variants WHERE experiment_id = ?")
      .bind(e.experimentId)
      .all<{ id: string; status: string }>();
    const status = new Map(results.map((r) => [r.id, r.status]));
    expect(status.get(third?.id ?? "")).toBe("retired");
    expect(status.get(second?.id ?? "")).toBe("winner");
    const history = await env.DB.prepare(
      "SELECT action FROM experiment_history WHERE experiment_id = ? AND actor = ? ORDER BY at",
    )
      .bind(e.experimentId, `user:${member.userId}`)
      .all<{ action: string }>();
    expect(history.results.map((h) => h.action)).toEqual(["variant_retired", "winner_promoted"]);
    // Another project's variant through this experiment's URL is a 404 page.
    const other = await experimentWithArms("other_arms", ["Elsewhere"]);
    const foreign = await post(`${path}/variants/${other.variants[1]?.id}/winner`, member.jar, {
      _csrf: csrf,
    });
    expect(foreign.status).toBe(404);
  });

  it("filters the list and pages through it with the service's cursor", async () => {
    const { projectId, apiKey } = await seedProject({ challengerCount: 0 });
    for (let i = 0; i < 27; i++) {
      const res = await call("/v1/message", {
        key: apiKey,
        body: { intent_id: `page_${i}`, base_example: `Copy ${i}` },
      });
      expect(res.status, await res.clone().text()).toBe(200);
    }
    const m = await signedIn(projectId, "viewer");
    const first = await (await get(`/app/p/${projectId}/experiments`, m.jar)).text();
    const rows = (html: string) =>
      [...html.matchAll(/experiments\/exp_[\w-]+">(page_\d+)</g)].map((r) => r[1]);
    expect(rows(first)).toHaveLength(25);
    const next = /href="([^"]*cursor=[^"]+)">Next page/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toBeDefined();
    const second = await (await get(next ?? "", m.jar)).text();
    expect(rows(second)).toHaveLength(2);
    expect(new Set([...rows(first), ...rows(second)]).size).toBe(27);
    const one = await (await get(`/app/p/${projectId}/experiments?intent_id=page_3`, m.jar)).text();
    expect(rows(one)).toEqual(["page_3"]);
  });

  it("creates a key (secret shown once), lists it, and revokes it through htmx; viewers may not", async () => {
    const { projectId } = await seedProject();
    const viewer = await signedIn(projectId, "viewer");
    expect((await get(`/app/p/${projectId}/settings/keys`, viewer.jar)).status).toBe(403);

    const admin = await signedIn(projectId, "admin");
    const { csrf } = await csrfOf(await get(`/app/p/${projectId}/settings/keys`, admin.jar));
    const res = await post(`/app/p/${projectId}/settings/keys`, admin.jar, {
      _csrf: csrf,
      name: "iOS <app>",
      scopes: ["message", "read"],
      mode: "live",
    });
    const html = await res.text();
    expect(res.status, html).toBe(200);
    const secret = /id="new-key-secret">\s*(pb_live_[\w-]+)/.exec(html)?.[1];
    expect(secret).toBeDefined();
    expect(html).toContain("iOS &lt;app&gt;");
    // The key works on the API.
    const msg = await call("/v1/message", {
      key: secret,
      body: { intent_id: "from_dash", base_example: "Hello" },
    });
    expect(msg.status, await msg.clone().text()).toBe(200);
    // Shown once: the list afterwards has its prefix only.
    const again = await (await get(`/app/p/${projectId}/settings/keys`, admin.jar)).text();
    expect(again).not.toContain(secret);
    expect(again).toContain(`${secret?.slice(0, 12)}…`);

    const keyId = (
      await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ? AND name = ?")
        .bind(projectId, "iOS <app>")
        .first<{ id: string }>()
    )?.id;
    const revoked = await post(
      `/app/p/${projectId}/settings/keys/${keyId}/revoke`,
      admin.jar,
      {},
      {
        origin: ORIGIN,
        "hx-request": "true",
        "x-csrf-token": csrf,
      },
    );
    const row = await revoked.text();
    expect(revoked.status, row).toBe(200);
    expect(row).toMatch(/^<tr id="key-key_/);
    expect(row).toContain("revoked");
    const stored = await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(keyId).first();
    expect(stored?.revoked_at).not.toBeNull();
    const after = await call("/v1/message", {
      key: secret,
      body: { intent_id: "from_dash", base_example: "Hello" },
    });
    expect(after.status).toBe(401);
  });

  it("serves its assets versioned and immutable, and stays out of the OpenAPI document", async () => {
    const css = await exports.default.fetch(`${ORIGIN}${OWN_ASSETS.css.path}`);
    expect(css.status).toBe(200);
    expect(css.headers.get("cache-control")).toContain("immutable");
    expect(css.headers.get("content-type")).toContain("text/css");
    expect((await exports.default.fetch(`${ORIGIN}/app/static/app-00000000.css`)).status).toBe(404);

    const { projectId } = await seedProject();
    const m = await signedIn(projectId, "owner");
    const html = await (await get(`/app/p/${projectId}`, m.jar)).text();
    const vendor = [...html.matchAll(/"(\/app\/assets\/vendor\/[^"]+)"/g)].map((x) => x[1] ?? "");
    expect(vendor.length).toBeGreaterThan(0);
    const assets = (env as unknown as { ASSETS: Fetcher }).ASSETS;
    for (const path of vendor) expect((await assets.fetch(`${ORIGIN}${path}`)).status, path).toBe(200);

    const doc = await (await call("/v1/openapi.json")).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith("/app"))).toEqual([]);
  });
});

/** The token of the newest mail to `to` that links to `page`. */
async function mailedToken(to: string, page: string): Promise<string> {
  const { results } = await env.DB.prepare('SELECT text FROM mail_outbox WHERE "to" = ? ORDER BY id DESC')
    .bind(to)
    .all<{ text: string }>();
  for (const { text } of results) {
    const m = new RegExp(`${page}\\?token=(\\S+)`).exec(text);
    if (m?.[1]) return decodeURIComponent(m[1]);
  }
  throw new Error(`no ${page} link mailed to ${to}`);
}

describe("dashboard: the pages the mails link to", () => {
  it("verifies an email only when the button is pressed, not when the link is opened", async () => {
    const email = `${newId("usr")}@example.com`;
    const up = await call("/v1/auth/signup", { body: { email, password: "correct horse battery" } });
    expect(up.status, await up.clone().text()).toBe(201);
    const token = await mailedToken(email, "/app/verify-email");
    const j = jar();
    const opened = await get(`/app/verify-email?token=${encodeURIComponent(token)}`, j);
    const { csrf, html } = await csrfOf(opened);
    expect(opened.status, html).toBe(200);
    const before = await env.DB.prepare("SELECT email_verified_at FROM users WHERE email = ?")
      .bind(email)
      .first();
    expect(before?.email_verified_at).toBeNull();

    const done = await post("/app/verify-email", j, { _csrf: csrf, token });
    expect(done.status, await done.clone().text()).toBe(200);
    expect(await done.text()).toContain("Email verified");
    const after = await env.DB.prepare("SELECT email_verified_at FROM users WHERE email = ?")
      .bind(email)
      .first();
    expect(after?.email_verified_at).not.toBeNull();
    // Used once: the same link now explains itself instead of verifying again.
    const again = await post("/app/verify-email", j, { _csrf: csrf, token });
    expect(again.status).toBe(400);
  });

  it("resets the password through the page and signs the browser out", async () => {
    const email = `${newId("usr")}@example.com`;
    const up = await call("/v1/auth/signup", { body: { email, password: "correct horse battery" } });
    expect(up.status, await up.clone().text()).toBe(201);
    const asked = await call("/v1/auth/password-reset/request", { body: { email } });
    expect(asked.status, await asked.clone().text()).toBeLessThan(300);
    // The reset mail goes out after the answer (waitUntil).
    const token = await eventually(() => mailedToken(email, "/app/reset-password"));
    const j = jar();
    const { csrf } = await csrfOf(await get(`/app/reset-password?token=${encodeURIComponent(token)}`, j));
    const short = await post("/app/reset-password", j, { _csrf: csrf, token, password: "short" });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("password:");
    const done = await post("/app/reset-password", j, {
      _csrf: csrf,
      token,
      password: "a brand new passphrase",
    });
    expect(done.status, await done.clone().text()).toBe(200);
    const login = await call("/v1/auth/login", { body: { email, password: "a brand new passphrase" } });
    expect(login.status, await login.clone().text()).toBe(200);
  });

  it("accepts an invite as the invited person after signing in, through next=", async () => {
    const { projectId } = await seedProject();
    const owner = await seedMember(projectId, "owner");
    const invitee = await seedMember((await seedProject()).projectId, "owner");
    const sent = await call(`/v1/projects/${projectId}/invites`, {
      headers: { authorization: `Bearer ${owner.accessToken}`, "x-project-id": projectId },
      body: { email: invitee.email, role: "member" },
    });
    expect(sent.status, await sent.clone().text()).toBe(201);
    const token = await mailedToken(invitee.email, "/app/invites/accept");
    const path = `/app/invites/accept?token=${encodeURIComponent(token)}`;

    const anonymous = await get(path);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe(`/app/sign-in?next=${encodeURIComponent(path)}`);

    const j = jar([[SESSION, invitee.refreshToken]]);
    const { csrf } = await csrfOf(await get(path, j));
    const joined = await post("/app/invites/accept", j, { _csrf: csrf, token });
    expect(joined.status, await joined.clone().text()).toBe(303);
    expect(joined.headers.get("location")).toBe(`/app/p/${projectId}`);
    const role = await env.DB.prepare("SELECT role FROM project_members WHERE project_id = ? AND user_id = ?")
      .bind(projectId, invitee.userId)
      .first();
    expect(role?.role).toBe("member");
    expect((await get(`/app/p/${projectId}/experiments`, j)).status).toBe(200);
  });
});
