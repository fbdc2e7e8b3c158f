import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/infra/build-context";
import { issueSession } from "../../src/services/auth/lib/sessions";
import { asMember, call, expectError, json, seedMember, seedProject } from "../helpers";

interface InviteBody {
  invite_id: string;
  email: string;
  role: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
  accept_url?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A signed-in person with a chosen email (stored lower-cased, as accounts store it). */
async function seedPerson(email = `${newId("usr")}@example.com`, opts: { verified?: boolean } = {}) {
  const userId = newId("usr");
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO users (id, email, name, email_verified_at, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?)",
  )
    .bind(userId, email.toLowerCase(), opts.verified === false ? null : now, now, now)
    .run();
  const session = await issueSession({
    ctx: buildContext(env, () => {}),
    input: { userId, email: email.toLowerCase(), method: "password" },
  });
  return { userId, email: email.toLowerCase(), auth: { authorization: `Bearer ${session.accessToken}` } };
}

async function ownedProject() {
  const { projectId, apiKey } = await seedProject();
  const owner = await seedMember(projectId, "owner");
  return { projectId, apiKey, owner, headers: asMember(owner.accessToken, projectId) };
}

const invite = (projectId: string, headers: Record<string, string>, body: Record<string, unknown>) =>
  call(`/v1/projects/${projectId}/invites`, { headers, body });

const accept = (auth: Record<string, string>, token: string) =>
  call("/v1/invites/accept", { headers: auth, body: { token } });

async function mailTo(email: string) {
  const { results } = await env.DB.prepare(
    'SELECT project_id, subject, text, kind FROM mail_outbox WHERE "to" = ? ORDER BY id',
  )
    .bind(email)
    .all<{ project_id: string | null; subject: string; text: string; kind: string }>();
  return results;
}

/** The token in the newest invite mailed to `email`. */
async function tokenFor(email: string) {
  const mail = (await mailTo(email)).at(-1);
  const token = /accept\?token=([^\s]+)/.exec(mail?.text ?? "")?.[1];
  expect(token, mail?.text).toBeDefined();
  return decodeURIComponent(token ?? "");
}

async function audit(projectId: string) {
  const { results } = await env.DB.prepare(
    "SELECT action, actor, target_id FROM audit_log WHERE project_id = ? ORDER BY id",
  )
    .bind(projectId)
    .all<{ action: string; actor: string; target_id: string }>();
  return results;
}

describe("invites", () => {
  it("end to end: invite by email, mail with the link, accept once as the invited person", async () => {
    const p = await ownedProject();
    const grace = await seedPerson(`grace.${newId("usr")}@example.com`);
    const created = await json<InviteBody>(
      await invite(p.projectId, p.headers, { email: `  ${grace.email.toUpperCase()} `, role: "admin" }),
      201,
    );
    expect(created).toMatchObject({
      email: grace.email,
      role: "admin",
      invited_by: `user:${p.owner.userId}`,
    });
    expect(created.invite_id).toMatch(/^inv_/);
    expect(Date.parse(created.expires_at) - Date.parse(created.created_at)).toBe(7 * DAY_MS);

    // The mail carries the link and says how to accept with the API; only the digest is stored.
    const [mail] = await mailTo(grace.email);
    expect(mail).toMatchObject({ project_id: p.projectId, kind: "invite" });
    expect(mail?.subject).toContain(`test ${p.projectId}`);
    expect(mail?.text).toContain("/app/invites/accept?token=pbi_");
    expect(mail?.text).toContain("POST /v1/invites/accept");
    expect(mail?.text).toContain(p.owner.email);
    const token = await tokenFor(grace.email);
    expect(created.accept_url).toBe(mail?.text.match(/https?:\S+\/app\/invites\/accept\?token=\S+/)?.[0]);
    const row = await env.DB.prepare("SELECT digest, accepted_at FROM invites WHERE id = ?")
      .bind(created.invite_id)
      .first<{ digest: string; accepted_at: number | null }>();
    expect(row).toEqual({ digest: await sha256Hex(token), accepted_at: null });
    const stored = JSON.stringify(
      await env.DB.prepare("SELECT * FROM invites WHERE id = ?").bind(created.invite_id).first(),
    );
    expect(stored).not.toContain(token);

    const listed = await json<{ invites: InviteBody[] }>(
      await call(`/v1/projects/${p.projectId}/invites`, { headers: p.headers }),
      200,
    );
    expect(listed.invites.map((i) => i.invite_id)).toEqual([created.invite_id]);
    expect(listed.invites[0]).not.toHaveProperty("accept_url");

    const joined = await json<{ project_id: string; role: string }>(await accept(grace.auth, token), 200);
    expect(joined).toMatchObject({ project_id: p.projectId, role: "admin" });
    const membership = await env.DB.prepare(
      "SELECT role FROM project_members WHERE project_id = ? AND user_id = ?",
    )
      .bind(p.projectId, grace.userId)
      .first();
    expect(membership).toEqual({ role: "admin" });
    const used = await env.DB.prepare("SELECT accepted_at, accepted_by FROM invites WHERE id = ?")
      .bind(created.invite_id)
      .first<{ accepted_at: number; accepted_by: string }>();
    expect(used?.accepted_by).toBe(grace.userId);
    expect(used?.accepted_at).toBeGreaterThan(0);
    expect((await audit(p.projectId)).map((a) => [a.action, a.actor])).toEqual([
      ["invite.created", `user:${p.owner.userId}`],
      ["invite.accepted", `user:${grace.userId}`],
    ]);

    // Grace now works in the project with her role, and the link is spent.
    await json(
      await call(`/v1/projects/${p.projectId}/invites`, {
        headers: { ...grace.auth, "x-project-id": p.projectId },
      }),
      200,
    );
    await expectError(await accept(grace.auth, token), 409, "CONFLICT", /already used/);
    const after = await json<{ invites: InviteBody[] }>(
      await call(`/v1/projects/${p.projectId}/invites`, { headers: p.headers }),
      200,
    );
    expect(after.invites).toEqual([]);
  });

  it("the link works only for the invited email (403), which can still use it afterwards", async () => {
    const p = await ownedProject();
    const invited = await seedPerson();
    const intruder = await seedPerson();
    await json(await invite(p.projectId, p.headers, { email: invited.email, role: "member" }), 201);
    const token = await tokenFor(invited.email);
    await expectError(await accept(intruder.auth, token), 403, "FORBIDDEN", /another email address/);
    const intruderRole = await env.DB.prepare(
      "SELECT role FROM project_members WHERE project_id = ? AND user_id = ?",
    )
      .bind(p.projectId, intruder.userId)
      .first();
    expect(intruderRole).toBeNull();
    await json(await accept(invited.auth, token), 200);
  });

  it("an expired invite is refused and no longer listed", async () => {
    const p = await ownedProject();
    const late = await seedPerson();
    const created = await json<InviteBody>(await invite(p.projectId, p.headers, { email: late.email }), 201);
    expect(created.role).toBe("member");
    const token = await tokenFor(late.email);
    await env.DB.prepare("UPDATE invites SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, created.invite_id)
      .run();
    await expectError(
      await accept(late.auth, token),
      400,
      "BAD_REQUEST",
      /expired .*ask a project admin for a new one/,
    );
    const listed = await json<{ invites: InviteBody[] }>(
      await call(`/v1/projects/${p.projectId}/invites`, { headers: p.headers }),
      200,
    );
    expect(listed.invites).toEqual([]);
    // A new invite works again.
    await json(await invite(p.projectId, p.headers, { email: late.email }), 201);
    await json(await accept(late.auth, await tokenFor(late.email)), 200);
  });

  it("a revoked invite stops working; revoking is idempotent; an accepted one cannot be revoked", async () => {
    const p = await ownedProject();
    const bob = await seedPerson();
    const created = await json<InviteBody>(await invite(p.projectId, p.headers, { email: bob.email }), 201);
    const token = await tokenFor(bob.email);
    const path = `/v1/projects/${p.projectId}/invites/${created.invite_id}`;
    for (let i = 0; i < 2; i++) {
      const res = await call(path, { method: "DELETE", headers: p.headers });
      expect(res.status, await res.clone().text()).toBe(204);
    }
    await expectError(await accept(bob.auth, token), 409, "CONFLICT", /withdrawn/);
    expect((await audit(p.projectId)).map((a) => a.action)).toEqual(["invite.created", "invite.revoked"]);

    const again = await json<InviteBody>(await invite(p.projectId, p.headers, { email: bob.email }), 201);
    await json(await accept(bob.auth, await tokenFor(bob.email)), 200);
    await expectError(
      await call(`/v1/projects/${p.projectId}/invites/${again.invite_id}`, {
        method: "DELETE",
        headers: p.headers,
      }),
      409,
      "CONFLICT",
      /already accepted/,
    );
    await expectError(
      await call(`/v1/projects/${p.projectId}/invites/inv_nothere`, { method: "DELETE", headers: p.headers }),
      404,
      "NOT_FOUND",
    );
  });

  it("inviting a pending email again replaces its invite", async () => {
    const p = await ownedProject();
    const cy = await seedPerson();
    const first = await json<InviteBody>(
      await invite(p.projectId, p.headers, { email: cy.email, role: "viewer" }),
      201,
    );
    const firstToken = await tokenFor(cy.email);
    const second = await json<InviteBody>(
      await invite(p.projectId, p.headers, { email: cy.email, role: "admin" }),
      201,
    );
    const secondToken = await tokenFor(cy.email);
    expect(second.invite_id).not.toBe(first.invite_id);
    const listed = await json<{ invites: InviteBody[] }>(
      await call(`/v1/projects/${p.projectId}/invites`, { headers: p.headers }),
      200,
    );
    expect(listed.invites.map((i) => [i.invite_id, i.role])).toEqual([[second.invite_id, "admin"]]);
    await expectError(await accept(cy.auth, firstToken), 409, "CONFLICT", /withdrawn/);
    const joined = await json<{ role: string }>(await accept(cy.auth, secondToken), 200);
    expect(joined.role).toBe("admin");
  });

  it("inviting a member is a 409, and so is accepting while already one", async () => {
    const p = await ownedProject();
    const member = await seedMember(p.projectId, "member");
    await expectError(
      await invite(p.projectId, p.headers, { email: member.email.toUpperCase() }),
      409,
      "CONFLICT",
      /already a member/,
    );
    const dee = await seedPerson();
    await json(await invite(p.projectId, p.headers, { email: dee.email }), 201);
    const token = await tokenFor(dee.email);
    await env.DB.prepare(
      "INSERT INTO project_members (project_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'viewer', ?, ?)",
    )
      .bind(p.projectId, dee.userId, Date.now(), Date.now())
      .run();
    await expectError(await accept(dee.auth, token), 409, "CONFLICT", /already a member/);
  });

  it("only owners invite owners; admins and admin keys invite the other roles; members cannot invite", async () => {
    const p = await ownedProject();
    const admin = await seedMember(p.projectId, "admin");
    const member = await seedMember(p.projectId, "member");
    const adminHeaders = asMember(admin.accessToken, p.projectId);
    await expectError(
      await invite(p.projectId, adminHeaders, { email: "boss@example.com", role: "owner" }),
      403,
      "FORBIDDEN",
      /only an owner can invite an owner/,
    );
    await expectError(
      await call(`/v1/projects/${p.projectId}/invites`, {
        key: p.apiKey,
        body: { email: "boss@example.com", role: "owner" },
      }),
      403,
      "FORBIDDEN",
      /only an owner/,
    );
    await json(await invite(p.projectId, adminHeaders, { email: "helper@example.com", role: "admin" }), 201);
    const byKey = await json<InviteBody>(
      await call(`/v1/projects/${p.projectId}/invites`, {
        key: p.apiKey,
        body: { email: "keyed@example.com" },
      }),
      201,
    );
    expect(byKey.invited_by).toBe(`api_key:${p.apiKey.slice(0, 12)}…`);
    // The link goes only to the invitee's mailbox: a leaked key cannot invite itself in.
    expect(byKey).not.toHaveProperty("accept_url");
    expect(await tokenFor("keyed@example.com")).toMatch(/^pbi_/);
    expect((await mailTo("keyed@example.com"))[0]?.text).toContain("A project admin invited you");
    await json(await invite(p.projectId, p.headers, { email: "boss@example.com", role: "owner" }), 201);
    await expectError(
      await invite(p.projectId, asMember(member.accessToken, p.projectId), { email: "x@example.com" }),
      403,
      "FORBIDDEN",
      /role 'member'/,
    );
    await expectError(
      await call(`/v1/projects/${p.projectId}/invites`, {
        headers: asMember(member.accessToken, p.projectId),
      }),
      403,
      "FORBIDDEN",
    );
  });

  it("accepting needs a verified email: 403 until the person verifies it", async () => {
    const p = await ownedProject();
    const gil = await seedPerson(undefined, { verified: false });
    await json(await invite(p.projectId, p.headers, { email: gil.email }), 201);
    const token = await tokenFor(gil.email);
    await expectError(
      await accept(gil.auth, token),
      403,
      "FORBIDDEN",
      "verify your email first: POST /v1/auth/verify-email/resend",
    );
    const row = await env.DB.prepare("SELECT role FROM project_members WHERE project_id = ? AND user_id = ?")
      .bind(p.projectId, gil.userId)
      .first();
    expect(row).toBeNull();
    await env.DB.prepare("UPDATE users SET email_verified_at = ? WHERE id = ?")
      .bind(Date.now(), gil.userId)
      .run();
    expect((await json<{ role: string }>(await accept(gil.auth, token), 200)).role).toBe("member");
  });

  it("an invite dies with its sender's authority: removed or demoted admins, demoted owners (409)", async () => {
    const p = await ownedProject();
    const admin = await seedMember(p.projectId, "admin");
    const adminHeaders = asMember(admin.accessToken, p.projectId);
    const [ann, ben, cat, dan] = await Promise.all([seedPerson(), seedPerson(), seedPerson(), seedPerson()]);
    await json(await invite(p.projectId, adminHeaders, { email: ann.email, role: "admin" }), 201);
    await json(await invite(p.projectId, adminHeaders, { email: ben.email }), 201);
    const annToken = await tokenFor(ann.email);
    const benToken = await tokenFor(ben.email);
    const SENDER_GONE = /^whoever sent this invite can no longer invite people to this project/;

    // Demoted to member: their invites stop working.
    await json(
      await call(`/v1/projects/${p.projectId}/members/${admin.userId}`, {
        method: "PATCH",
        headers: p.headers,
        body: { role: "member" },
      }),
      200,
    );
    await expectError(await accept(ann.auth, annToken), 409, "CONFLICT", SENDER_GONE);
    // Admin again: they work again (nothing was spent).
    await env.DB.prepare("UPDATE project_members SET role = 'admin' WHERE project_id = ? AND user_id = ?")
      .bind(p.projectId, admin.userId)
      .run();
    await json(await accept(ann.auth, annToken), 200);
    // Removed from the project: refused.
    const removed = await call(`/v1/projects/${p.projectId}/members/${admin.userId}`, {
      method: "DELETE",
      headers: p.headers,
    });
    expect(removed.status, await removed.clone().text()).toBe(204);
    await expectError(await accept(ben.auth, benToken), 409, "CONFLICT", SENDER_GONE);
    const benRow = await env.DB.prepare(
      "SELECT role FROM project_members WHERE project_id = ? AND user_id = ?",
    )
      .bind(p.projectId, ben.userId)
      .first();
    expect(benRow).toBeNull();

    // An owner invite needs its sender to be an owner still; other roles an admin.
    const second = await seedMember(p.projectId, "owner");
    const secondHeaders = asMember(second.accessToken, p.projectId);
    await json(await invite(p.projectId, secondHeaders, { email: cat.email, role: "owner" }), 201);
    await json(await invite(p.projectId, secondHeaders, { email: dan.email, role: "viewer" }), 201);
    await env.DB.prepare("UPDATE project_members SET role = 'admin' WHERE project_id = ? AND user_id = ?")
      .bind(p.projectId, second.userId)
      .run();
    await expectError(await accept(cat.auth, await tokenFor(cat.email)), 409, "CONFLICT", SENDER_GONE);
    expect((await json<{ role: string }>(await accept(dan.auth, await tokenFor(dan.email)), 200)).role).toBe(
      "viewer",
    );
  });

  it("an invite sent by an API key dies when the key is revoked, expires or loses the admin scope", async () => {
    const p = await ownedProject();
    const people = await Promise.all([seedPerson(), seedPerson(), seedPerson(), seedPerson()]);
    for (const person of people) {
      await json(
        await call(`/v1/projects/${p.projectId}/invites`, { key: p.apiKey, body: { email: person.email } }),
        201,
      );
    }
    const tokens = await Promise.all(people.map((person) => tokenFor(person.email)));
    const [eve, fin, gus, hal] = people;
    const SENDER_GONE = /^whoever sent this invite can no longer invite/;
    const prefix = p.apiKey.slice(0, 12);
    const setKey = (sql: string, ...values: unknown[]) =>
      env.DB.prepare(`UPDATE api_keys SET ${sql} WHERE project_id = ? AND prefix = ?`)
        .bind(...values, p.projectId, prefix)
        .run();

    // While the key works, its invites do.
    expect((await json<{ role: string }>(await accept(eve?.auth ?? {}, tokens[0] ?? ""), 200)).role).toBe(
      "member",
    );
    await setKey("scopes = 'message,read'");
    await expectError(await accept(fin?.auth ?? {}, tokens[1] ?? ""), 409, "CONFLICT", SENDER_GONE);
    await setKey("scopes = 'message,read,admin', expires_at = ?", Date.now() - 1);
    await expectError(await accept(gus?.auth ?? {}, tokens[2] ?? ""), 409, "CONFLICT", SENDER_GONE);
    await setKey("expires_at = NULL, revoked_at = ?", Date.now());
    await expectError(await accept(hal?.auth ?? {}, tokens[3] ?? ""), 409, "CONFLICT", SENDER_GONE);
    // Nothing was spent: restored, the key's invites work again.
    await setKey("revoked_at = NULL");
    await json(await accept(hal?.auth ?? {}, tokens[3] ?? ""), 200);
  });

  it("bad input is a 400: emails, roles, tokens", async () => {
    const p = await ownedProject();
    const cases: [unknown, RegExp][] = [
      [{}, /email: required/],
      [{ email: "" }, /email/],
      [{ email: "not-an-email" }, /email: must be an email address/],
      [{ email: "a b@example.com" }, /email/],
      [{ email: `${"x".repeat(250)}@example.com` }, /email/],
      [{ email: "ok@example.com", role: "king" }, /role/],
      [{ email: "ok@example.com", project_id: "prj_x" }, /project_id|unrecognized/i],
    ];
    for (const [body, message] of cases) {
      await expectError(
        await call(`/v1/projects/${p.projectId}/invites`, { headers: p.headers, body }),
        400,
        "BAD_REQUEST",
        message,
      );
    }
    const eve = await seedPerson();
    await expectError(await accept(eve.auth, "pbi_made_up"), 400, "BAD_REQUEST", /not valid/);
    await expectError(await accept(eve.auth, ""), 400, "BAD_REQUEST", /token/);
    await expectError(await accept(eve.auth, "x".repeat(201)), 400, "BAD_REQUEST", /token/);
    await expectError(
      await call("/v1/invites/accept", { headers: eve.auth, body: {} }),
      400,
      "BAD_REQUEST",
      /token: required/,
    );
    // Accepting needs a person: an API key cannot join a project.
    await expectError(
      await call("/v1/invites/accept", { key: p.apiKey, body: { token: "pbi_x" } }),
      403,
      "FORBIDDEN",
      /access token/,
    );
  });

  it("another project's invites are 404 and stay untouched", async () => {
    const a = await ownedProject();
    const b = await ownedProject();
    const created = await json<InviteBody>(
      await invite(a.projectId, a.headers, { email: "kept@example.com" }),
      201,
    );
    await expectError(
      await call(`/v1/projects/${b.projectId}/invites/${created.invite_id}`, {
        method: "DELETE",
        headers: b.headers,
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call(`/v1/projects/${a.projectId}/invites/${created.invite_id}`, {
        method: "DELETE",
        key: b.apiKey,
      }),
      404,
      "NOT_FOUND",
    );
    const listedB = await json<{ invites: InviteBody[] }>(
      await call(`/v1/projects/${b.projectId}/invites`, { headers: b.headers }),
      200,
    );
    expect(listedB.invites).toEqual([]);
    const row = await env.DB.prepare("SELECT revoked_at FROM invites WHERE id = ?")
      .bind(created.invite_id)
      .first();
    expect(row).toEqual({ revoked_at: null });
  });

  it("lists pending invites a page at a time", async () => {
    const p = await ownedProject();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await json<InviteBody>(await invite(p.projectId, p.headers, { email: `page${i}@example.com` }), 201))
          .invite_id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { invites: InviteBody[]; next_cursor: string | null } = await json(
        await call(`/v1/projects/${p.projectId}/invites?limit=2${cursor ? `&cursor=${cursor}` : ""}`, {
          headers: p.headers,
        }),
        200,
      );
      seen.push(...page.invites.map((i) => i.invite_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());
    await expectError(
      await call(`/v1/projects/${p.projectId}/invites?cursor=nope`, { headers: p.headers }),
      400,
      "BAD_REQUEST",
      /cursor/,
    );
  });

  it("deleting the project withdraws its invites", async () => {
    const p = await ownedProject();
    const fay = await seedPerson();
    await json(await invite(p.projectId, p.headers, { email: fay.email }), 201);
    const token = await tokenFor(fay.email);
    const res = await call(`/v1/projects/${p.projectId}`, { method: "DELETE", headers: p.headers });
    expect(res.status, await res.clone().text()).toBe(204);
    await expectError(await accept(fay.auth, token), 404, "NOT_FOUND", /project not found/);
  });
});
