import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { buildContext } from "../src/infra/build-context";
import { recordAudit } from "../src/services/audit/record-audit";
import type { OidcStubScenario, OidcStubUser } from "../test-support/oidc-stub-server";
import { csrfOf, get, jar, ORIGIN, post, SESSION, signedIn } from "./dashboard-helpers";
import { asMember, call, keyWithScopes, seedMember, seedProject } from "./helpers";

// The settings pages (keys roll, members and invites, limits, audit log) and Google sign-in on
// /app: the same services as the API, its access levels and owner rules, CSRF on every form.

const GOOGLE = "__Host-pb_google";
const CALLBACK = "http://localhost:8787/v1/auth/google/callback";

const roleOf = async (projectId: string, userId: string) =>
  (
    await env.DB.prepare("SELECT role FROM project_members WHERE project_id = ? AND user_id = ?")
      .bind(projectId, userId)
      .first<{ role: string }>()
  )?.role ?? null;

/** An SDK call with a key: 200 while the key works, 401 once it does not. */
const sendWith = (key: string) =>
  call("/v1/message", { key, body: { intent_id: "roll_check", base_example: "Hello" } });

describe("settings: navigation and access levels", () => {
  it("one Settings link; each page opens for its route's level and refuses a lower role", async () => {
    const { projectId } = await seedProject();
    const viewer = await signedIn(projectId, "viewer");
    const member = await signedIn(projectId, "member");
    const admin = await signedIn(projectId, "admin");
    const base = `/app/p/${projectId}/settings`;

    const home = await (await get(`/app/p/${projectId}`, viewer.jar)).text();
    expect(home).toContain(`href="${base}">Settings</a>`);
    expect(home).not.toContain(">API keys</a>");

    // The landing page is the first the role opens.
    expect((await get(base, admin.jar)).headers.get("location")).toBe(`${base}/keys`);
    expect((await get(base, viewer.jar)).headers.get("location")).toBe(`${base}/members`);

    const cases: [string, "viewer" | "member" | "admin", number][] = [
      ["keys", "member", 403],
      ["keys", "admin", 200],
      ["members", "viewer", 200],
      ["limits", "viewer", 200],
      ["audit-log", "member", 403],
      ["audit-log", "admin", 200],
    ];
    const who = { viewer, member, admin };
    for (const [page, role, status] of cases) {
      const res = await get(`${base}/${page}`, who[role].jar);
      const html = await res.text();
      expect(res.status, `${page} as ${role}: ${html.slice(0, 500)}`).toBe(status);
      if (status === 200) expect(html).toContain('aria-label="Settings"');
      else expect(html).toContain("does not allow you");
    }
    // The sub-navigation shows a viewer only what a viewer may open.
    const members = await (await get(`${base}/members`, viewer.jar)).text();
    expect(members).toContain(`${base}/limits`);
    expect(members).not.toContain(`${base}/audit-log"`);
    expect(members).not.toContain(`${base}/keys"`);

    // Another project's settings are not found, as in the API.
    const other = await seedProject();
    for (const page of ["members", "limits", "audit-log", "keys"]) {
      expect((await get(`/app/p/${other.projectId}/settings/${page}`, admin.jar)).status, page).toBe(404);
    }
  });

  it("refuses every settings form without the session's CSRF token, and changes nothing", async () => {
    const { projectId } = await seedProject();
    const owner = await signedIn(projectId, "owner");
    const member = await seedMember(projectId, "member");
    const base = `/app/p/${projectId}/settings`;
    const keyId = (
      await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ?")
        .bind(projectId)
        .first<{ id: string }>()
    )?.id;
    const forms: [string, Record<string, string>][] = [
      [`${base}/keys/${keyId}/roll`, { grace_seconds: "0" }],
      [`${base}/invites`, { email: "csrf@example.com", role: "member" }],
      [`${base}/limits`, { notification: "5/hour" }],
      [`${base}/members/${member.userId}/role`, { role: "viewer" }],
      [`${base}/members/${member.userId}/remove`, {}],
    ];
    for (const [path, fields] of forms) {
      const res = await post(path, owner.jar, fields);
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain("did not come from this site");
    }
    const rolled = await env.DB.prepare("SELECT rolled_to FROM api_keys WHERE id = ?").bind(keyId).first();
    expect(rolled?.rolled_to).toBeNull();
    expect(await roleOf(projectId, member.userId)).toBe("member");
    const invites = await env.DB.prepare("SELECT count(*) AS n FROM invites WHERE project_id = ?")
      .bind(projectId)
      .first<{ n: number }>();
    expect(invites?.n).toBe(0);
    const limits = await env.DB.prepare("SELECT limits FROM projects WHERE id = ?").bind(projectId).first();
    expect(limits?.limits).toBeNull();
  });
});

describe("settings: API keys roll", () => {
  it("rolls a key: the new secret once, the old one keeps working for the grace, then a roll with none", async () => {
    const { projectId } = await seedProject();
    const oldSecret = await keyWithScopes(projectId, "message,read");
    const oldId = (
      await env.DB.prepare("SELECT id FROM api_keys WHERE project_id = ? AND name = 'scoped'")
        .bind(projectId)
        .first<{ id: string }>()
    )?.id;
    const admin = await signedIn(projectId, "admin");
    const keysPath = `/app/p/${projectId}/settings/keys`;
    const { csrf, html } = await csrfOf(await get(keysPath, admin.jar));
    expect(html).toContain(`aria-label="Roll scoped"`);

    const res = await post(`${keysPath}/${oldId}/roll`, admin.jar, { _csrf: csrf, grace_seconds: "3600" });
    const page = await res.text();
    expect(res.status, page).toBe(200);
    const secret = /id="new-key-secret">\s*(pb_live_[0-9a-f]{64})/.exec(page)?.[1] ?? "";
    expect(secret).not.toBe("");
    expect(page).toMatch(/keeps working until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const stored = await env.DB.prepare("SELECT rolled_to, expires_at FROM api_keys WHERE id = ?")
      .bind(oldId)
      .first<{ rolled_to: string; expires_at: number }>();
    expect(stored?.rolled_to).toMatch(/^key_/);
    expect(stored?.expires_at).toBeGreaterThan(Date.now() + 3_500_000);
    expect(stored?.expires_at).toBeLessThan(Date.now() + 3_700_000);
    // Both work during the grace.
    expect((await sendWith(oldSecret)).status).toBe(200);
    expect((await sendWith(secret)).status).toBe(200);

    // Shown once: the list afterwards names the old key as rolled and offers no second roll of it.
    const again = await (await get(keysPath, admin.jar)).text();
    expect(again).not.toContain(secret);
    expect(again).toContain("rolled; works until");
    expect(again.match(/aria-label="Roll scoped"/g)).toHaveLength(1);
    const refused = await post(`${keysPath}/${oldId}/roll`, admin.jar, { _csrf: csrf, grace_seconds: "0" });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("was already rolled");

    // Rolling the new key with no grace ends its secret at once.
    const newId_ = stored?.rolled_to ?? "";
    const now = await post(`${keysPath}/${newId_}/roll`, admin.jar, { _csrf: csrf, grace_seconds: "0" });
    const nowHtml = await now.text();
    expect(now.status, nowHtml).toBe(200);
    expect(nowHtml).toContain("has stopped working");
    const third = /id="new-key-secret">\s*(pb_live_[0-9a-f]{64})/.exec(nowHtml)?.[1] ?? "";
    expect((await sendWith(secret)).status).toBe(401);
    expect((await sendWith(third)).status).toBe(200);

    // A member cannot roll (the route's level is admin).
    const member = await signedIn(projectId, "member");
    const m = await csrfOf(await get(`/app/p/${projectId}/experiments`, member.jar));
    const byMember = await post(`${keysPath}/${newId_}/roll`, member.jar, { _csrf: m.csrf });
    expect(byMember.status).toBe(403);
  });
});

describe("settings: members and invites", () => {
  it("invites by email, lists the pending invite, and revokes it", async () => {
    const { projectId } = await seedProject();
    const admin = await signedIn(projectId, "admin");
    const path = `/app/p/${projectId}/settings/members`;
    const first = await csrfOf(await get(path, admin.jar));
    expect(first.html).toContain("No pending invites");
    expect(first.html).toContain("local outbox");

    const email = `inv-${newId("usr").slice(4)}@example.com`;
    const sent = await post(`/app/p/${projectId}/settings/invites`, admin.jar, {
      _csrf: first.csrf,
      email,
      role: "viewer",
    });
    const sentHtml = await sent.text();
    expect(sent.status, sentHtml).toBe(200);
    expect(sentHtml).toContain(`Invite sent to ${email}`);
    const link = /id="invite-link">\s*(\S+?)\s*</.exec(sentHtml)?.[1] ?? "";
    expect(link).toMatch(/\/app\/invites\/accept\?token=pbi_/);
    const mail = await env.DB.prepare("SELECT text FROM mail_outbox WHERE \"to\" = ? AND kind = 'invite'")
      .bind(email)
      .first<{ text: string }>();
    expect(mail?.text).toContain(link.replace(/&amp;/g, "&"));

    const listed = await (await get(path, admin.jar)).text();
    expect(listed).not.toContain(link);
    const inviteId = new RegExp(`id="invite-(inv_[\\w-]+)">\\s*<th scope="row">${email}`).exec(listed)?.[1];
    expect(inviteId, listed).toBeDefined();

    // Admins may not invite owners; the service's rule.
    const owner = await post(`/app/p/${projectId}/settings/invites`, admin.jar, {
      _csrf: first.csrf,
      email: "owner@example.com",
      role: "owner",
    });
    expect(owner.status).toBe(403);
    // A bad address is the service's 400, shown on the page.
    const bad = await post(`/app/p/${projectId}/settings/invites`, admin.jar, {
      _csrf: first.csrf,
      email: "not-an-address",
      role: "member",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("email: must be an email address");

    const revoked = await post(`/app/p/${projectId}/settings/invites/${inviteId}/revoke`, admin.jar, {
      _csrf: first.csrf,
    });
    expect(revoked.status, await revoked.clone().text()).toBe(303);
    expect(revoked.headers.get("location")).toBe(path);
    const row = await env.DB.prepare("SELECT revoked_at FROM invites WHERE id = ?").bind(inviteId).first();
    expect(row?.revoked_at).not.toBeNull();
    const after = await (await get(path, admin.jar)).text();
    expect(after).not.toContain(`invite-${inviteId}`);
    expect(after).toContain("No pending invites");

    // A viewer sees the members but neither the invite form nor the invites.
    const viewer = await signedIn(projectId, "viewer");
    const seen = await (await get(path, viewer.jar)).text();
    expect(seen).toContain(admin.email);
    expect(seen).not.toContain("Invite someone");
    const v = await csrfOf(await get(path, viewer.jar));
    const byViewer = await post(`/app/p/${projectId}/settings/invites`, viewer.jar, {
      _csrf: v.csrf,
      email: "v@example.com",
    });
    expect(byViewer.status).toBe(403);
  });

  it("changes roles and removes members by the API's owner rules", async () => {
    const { projectId } = await seedProject();
    const owner = await signedIn(projectId, "owner");
    const admin = await signedIn(projectId, "admin");
    const member = await signedIn(projectId, "member");
    const viewer = await signedIn(projectId, "viewer");
    const path = `/app/p/${projectId}/settings/members`;
    const a = await csrfOf(await get(path, admin.jar));
    // An admin gets no controls on an owner's row and cannot hand out owner.
    expect(a.html).not.toContain(`id="role-${owner.userId}"`);
    expect(a.html).toContain(`id="role-${member.userId}"`);
    expect(a.html).not.toContain('<option value="owner"');

    const toViewer = await post(`${path}/${member.userId}/role`, admin.jar, {
      _csrf: a.csrf,
      role: "viewer",
    });
    expect(toViewer.status, await toViewer.clone().text()).toBe(303);
    expect(await roleOf(projectId, member.userId)).toBe("viewer");
    const demoteOwner = await post(`${path}/${owner.userId}/role`, admin.jar, {
      _csrf: a.csrf,
      role: "admin",
    });
    expect(demoteOwner.status).toBe(403);
    expect(await demoteOwner.text()).toContain("only an owner can grant or remove the owner role");
    const removeOwner = await post(`${path}/${owner.userId}/remove`, admin.jar, { _csrf: a.csrf });
    expect(removeOwner.status).toBe(403);
    expect(await roleOf(projectId, owner.userId)).toBe("owner");
    const badRole = await post(`${path}/${member.userId}/role`, admin.jar, { _csrf: a.csrf, role: "root" });
    expect(badRole.status).toBe(400);
    expect(await badRole.text()).toContain("role: must be one of owner, admin, member, viewer");

    // The last owner can neither step down nor leave: a 409 on the page, nothing changed.
    const o = await csrfOf(await get(path, owner.jar));
    expect(o.html).toContain('<option value="owner"');
    const stepDown = await post(`${path}/${owner.userId}/role`, owner.jar, { _csrf: o.csrf, role: "admin" });
    expect(stepDown.status).toBe(409);
    expect(await stepDown.text()).toContain("cannot demote the last owner");
    const leave = await post(`${path}/${owner.userId}/remove`, owner.jar, { _csrf: o.csrf });
    expect(leave.status).toBe(409);
    expect(await roleOf(projectId, owner.userId)).toBe("owner");

    // With a second owner, an owner may remove the first.
    const promote = await post(`${path}/${admin.userId}/role`, owner.jar, { _csrf: o.csrf, role: "owner" });
    expect(promote.status).toBe(303);
    const a2 = await csrfOf(await get(path, admin.jar));
    const removed = await post(`${path}/${owner.userId}/remove`, admin.jar, { _csrf: a2.csrf });
    expect(removed.status, await removed.clone().text()).toBe(303);
    expect(await roleOf(projectId, owner.userId)).toBeNull();

    // A viewer cannot change roles or remove others, but may leave.
    const v = await csrfOf(await get(path, viewer.jar));
    expect(v.html).toContain('aria-label="Leave this project"');
    expect(v.html).not.toContain(`aria-label="Remove ${member.email}"`);
    expect(
      (await post(`${path}/${member.userId}/role`, viewer.jar, { _csrf: v.csrf, role: "admin" })).status,
    ).toBe(403);
    expect((await post(`${path}/${member.userId}/remove`, viewer.jar, { _csrf: v.csrf })).status).toBe(403);
    expect(await roleOf(projectId, member.userId)).toBe("viewer");
    const left = await post(`${path}/${viewer.userId}/remove`, viewer.jar, { _csrf: v.csrf });
    expect(left.status).toBe(303);
    expect(left.headers.get("location")).toBe("/app");
    expect(await roleOf(projectId, viewer.userId)).toBeNull();
  });
});

describe("settings: limits", () => {
  it("shows the limits, refuses an invalid value inline with no change, and saves a valid one", async () => {
    const { projectId } = await seedProject();
    const admin = await signedIn(projectId, "admin");
    const path = `/app/p/${projectId}/settings/limits`;
    const readLimits = async () =>
      await (
        await call(`/v1/projects/${projectId}/limits`, { headers: asMember(admin.accessToken, projectId) })
      ).json<{ limits: Record<string, string>; overrides: Record<string, string> }>();
    const before = await readLimits();
    const { csrf, html } = await csrfOf(await get(path, admin.jar));
    expect(html).toContain("Save limits");
    expect(html).toContain(before.limits.notification ?? "missing");

    const bad = await post(path, admin.jar, { _csrf: csrf, notification: "lots", analysis: "2400/day" });
    const badHtml = await bad.text();
    expect(bad.status, badHtml).toBe(400);
    expect(badHtml).toContain("Nothing was saved: 2 values need fixing.");
    expect(badHtml).toMatch(/id="limit-notification-error">expected &#39;N\/second&#39;/);
    expect(badHtml).toContain('id="limit-analysis-error">a project may lower this quota');
    expect(badHtml).toContain('aria-describedby="limit-notification-error"');
    // What was typed stays in the form.
    expect(badHtml).toContain('value="lots"');
    expect(await readLimits()).toEqual(before);

    const ok = await post(path, admin.jar, { _csrf: csrf, notification: "50/hour", analysis: "" });
    expect(ok.status, await ok.clone().text()).toBe(303);
    expect(ok.headers.get("location")).toBe(`${path}?saved=1`);
    const after = await readLimits();
    expect(after.overrides).toEqual({ notification: "50/hour" });
    const saved = await (await get(`${path}?saved=1`, admin.jar)).text();
    expect(saved).toContain("Limits saved.");
    expect(saved).toContain('name="notification" value="50/hour"');

    // A viewer reads them without a form, and cannot post one.
    const viewer = await signedIn(projectId, "viewer");
    const seen = await csrfOf(await get(`/app/p/${projectId}/settings/members`, viewer.jar));
    const limitsHtml = await (await get(path, viewer.jar)).text();
    expect(limitsHtml).toContain("50/hour");
    expect(limitsHtml).not.toContain("Save limits");
    expect((await post(path, viewer.jar, { _csrf: seen.csrf, notification: "1/hour" })).status).toBe(403);
    expect((await readLimits()).overrides).toEqual({ notification: "50/hour" });
  });
});

describe("settings: audit log", () => {
  it("shows what the pages did, filters by action, and pages with the API's cursor", async () => {
    const { projectId } = await seedProject();
    const admin = await signedIn(projectId, "admin");
    const member = await seedMember(projectId, "member");
    const base = `/app/p/${projectId}/settings`;
    const { csrf } = await csrfOf(await get(`${base}/members`, admin.jar));
    await post(`${base}/members/${member.userId}/role`, admin.jar, { _csrf: csrf, role: "viewer" });
    await post(`${base}/limits`, admin.jar, { _csrf: csrf, notification: "40/hour" });
    await post(`${base}/invites`, admin.jar, { _csrf: csrf, email: "audit@example.com", role: "member" });

    const res = await get(`${base}/audit-log`, admin.jar);
    const html = await res.text();
    expect(res.status, html).toBe(200);
    for (const action of ["member.role_changed", "project.limits_updated", "invite.created"]) {
      expect(html).toContain(`<code>${action}</code>`);
    }
    // The actor by email while they are a member.
    expect(html).toContain(admin.email);
    expect(html).not.toContain("Older");

    const invitesOnly = await (await get(`${base}/audit-log?action=invite.*`, admin.jar)).text();
    expect(invitesOnly).toContain("<code>invite.created</code>");
    expect(invitesOnly).not.toContain("<code>member.role_changed</code>");
    const bad = await get(`${base}/audit-log?action=${encodeURIComponent("DROP TABLE")}`, admin.jar);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("action: must be an action");
    const forged = await get(`${base}/audit-log?cursor=not-a-cursor`, admin.jar);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain("cursor: is not one this endpoint returned");

    // 60 more entries: a page of 50, then the rest through "Older".
    const ctx = buildContext(env, () => {});
    for (let i = 0; i < 60; i++) {
      await recordAudit({
        ctx,
        projectId,
        actor: "loop",
        input: { action: "test.seeded", targetType: "test", targetId: `t${i}` },
      });
    }
    const entries = (page: string) => [...page.matchAll(/<code>(aud_[\w-]+)<\/code>/g)].map((m) => m[1]);
    const first = await (await get(`${base}/audit-log`, admin.jar)).text();
    expect(entries(first)).toHaveLength(50);
    const older = /href="([^"]*cursor=[^"]+)">Older/.exec(first)?.[1]?.replace(/&amp;/g, "&");
    expect(older).toBeDefined();
    const second = await (await get(older ?? "", admin.jar)).text();
    expect(second).toContain(">Newest</a>");
    expect(entries(second)).toHaveLength(13);
    expect(new Set([...entries(first), ...entries(second)]).size).toBe(63);
    // The cursor carries the filter along.
    const seeded = await (await get(`${base}/audit-log?action=test.seeded`, admin.jar)).text();
    const seededOlder = /href="([^"]*cursor=[^"]+)">Older/.exec(seeded)?.[1]?.replace(/&amp;/g, "&") ?? "";
    expect(seededOlder).toContain("action=test.seeded");
    expect(entries(await (await get(seededOlder, admin.jar)).text())).toHaveLength(10);
  });
});

/** The Worker under another configuration (same D1 and KV): config is parsed per env object. */
async function fetchWith(vars: Record<string, string>, path: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${ORIGIN}${path}`, { redirect: "manual" }),
    { ...env, ...vars },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

let flows = 0;

/** The provider signs `user` in and sends the browser back: the callback's path and query. */
async function authorize(location: string, user: OidcStubUser, scenario: OidcStubScenario = "ok") {
  const url = new URL(location);
  url.searchParams.set("login_hint", JSON.stringify(user));
  url.searchParams.set("stub_scenario", scenario);
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status, await res.clone().text()).toBe(302);
  const back = new URL(res.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
  return `${back.pathname}${back.search}`;
}

async function googleStart(next?: string) {
  const j = jar();
  const ip = { "cf-connecting-ip": `2001:db8:5e7::${(++flows).toString(16)}` };
  const res = await get(`/app/sign-in/google${next ? `?next=${encodeURIComponent(next)}` : ""}`, j, ip);
  expect(res.status, await res.clone().text()).toBe(302);
  return { j, ip, location: res.headers.get("location") ?? "", setCookie: res.headers.getSetCookie() };
}

const googleUser = (): OidcStubUser => {
  const id = newId("usr").slice(4);
  return { sub: `5${id}`, email: `gs${id}@example.com`, email_verified: true, name: "Grace" };
};

describe("dashboard: Google sign-in", () => {
  it("shows the button only when Google sign-in is configured", async () => {
    const on = await (await get("/app/sign-in?next=/app/projects/new")).text();
    expect(on).toContain(`href="/app/sign-in/google?next=${encodeURIComponent("/app/projects/new")}"`);
    expect(on).toContain("Sign in with Google");
    const off = { GOOGLE_CLIENT_ID: "", GOOGLE_CLIENT_SECRET: "" };
    const res = await fetchWith(off, "/app/sign-in");
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(html).toContain("Sign in");
    expect(html).not.toContain("Google");
    const start = await fetchWith(off, "/app/sign-in/google");
    expect(start.status).toBe(503);
    expect(await start.text()).toContain("Google sign-in is not configured on this server");
  });

  it("runs the API's flow with the stub and ends in the dashboard's cookie and page", async () => {
    const flow = await googleStart("/app/projects/new");
    // The browser binding is a dashboard cookie: Secure, HttpOnly, Lax, expiring with the flow.
    const binding = flow.setCookie.find((l) => l.startsWith(`${GOOGLE}=`)) ?? "";
    expect(binding).toMatch(/; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const authorizeUrl = new URL(flow.location);
    expect(authorizeUrl.pathname).toBe("/oidc/authorize");
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    const user = googleUser();
    const back = await authorize(flow.location, user);

    // The provider returns to the API's one redirect URI, which hands the sign-in to the dashboard.
    const api = await get(back, flow.j, flow.ip);
    expect(api.status, await api.clone().text()).toBe(303);
    const dashCallback = api.headers.get("location") ?? "";
    expect(dashCallback).toBe(`/app/sign-in/google/callback${new URL(back, ORIGIN).search}`);
    const done = await get(dashCallback, flow.j, flow.ip);
    expect(done.status, await done.clone().text()).toBe(303);
    expect(done.headers.get("location")).toBe("/app/projects/new");
    expect(flow.j.cookies.get(SESSION)).toMatch(/^pbr_/);
    expect(flow.j.cookies.has(GOOGLE)).toBe(false);
    const row = await env.DB.prepare("SELECT email FROM users WHERE email = ?").bind(user.email).first();
    expect(row?.email).toBe(user.email);
    // Signed in: /app opens (a new account is sent to make its first project).
    const app = await get("/app", flow.j);
    expect(app.status).toBe(303);
    expect(app.headers.get("location")).toBe("/app/projects/new");
    expect((await get("/app/projects/new", flow.j)).status).toBe(200);

    // The same answer, replayed, is refused: the state worked once and the cookie is gone.
    const replay = await get(
      dashCallback,
      jar([[GOOGLE, binding.split(";")[0]?.split("=")[1] ?? ""]]),
      flow.ip,
    );
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("Google sign-in did not finish");
  });

  it("lands on /app by default and never on another site", async () => {
    const flow = await googleStart("https://evil.example/");
    const back = await authorize(flow.location, googleUser());
    const api = await get(back, flow.j, flow.ip);
    const done = await get(api.headers.get("location") ?? "", flow.j, flow.ip);
    expect(done.status, await done.clone().text()).toBe(303);
    expect(done.headers.get("location")).toBe("/app");
  });

  it("refuses a bad state and another browser's sign-in, setting no session", async () => {
    const flow = await googleStart();
    const back = await authorize(flow.location, googleUser());
    const url = new URL(back, ORIGIN);
    url.searchParams.set("state", `${url.searchParams.get("state")}x`);
    const api = await get(`${url.pathname}${url.search}`, flow.j, flow.ip);
    expect(api.status).toBe(303);
    const bad = await get(api.headers.get("location") ?? "", flow.j, flow.ip);
    const html = await bad.text();
    expect(bad.status, html).toBe(400);
    expect(html).toContain("Google sign-in did not finish: unknown, used or expired sign-in state");
    expect(html).toContain("Sign in with Google");
    expect(flow.j.cookies.has(SESSION)).toBe(false);

    // Another browser (no binding cookie) with a real answer: the API refuses it as before.
    const other = await googleStart();
    const otherBack = await authorize(other.location, googleUser());
    const stolen = await get(otherBack, jar(), other.ip);
    expect(stolen.status).toBe(400);
    expect((await stolen.json<{ error: { message: string } }>()).error.message).toContain(
      "the sign-in cookie is missing",
    );
    const direct = await get(
      `/app/sign-in/google/callback${new URL(otherBack, ORIGIN).search}`,
      jar(),
      other.ip,
    );
    expect(direct.status).toBe(400);
    expect(direct.headers.getSetCookie().some((l) => l.startsWith(`${SESSION}=`))).toBe(false);
  });
});
