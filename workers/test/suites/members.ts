import { env } from "cloudflare:workers";
import { newId } from "@pushbunny/core";
import { deleteMember, listMembersOf, MEMBER_LIST_LIMIT, setMemberRole } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import { asMember, call, db, expectError, json, keyWithScopes, seedMember, seedProject } from "../helpers";

interface MemberBody {
  user_id: string;
  email: string;
  name: string;
  role: string;
  joined_at: string;
}

const LAST_OWNER = /make someone else owner first/;

async function roleOf(projectId: string, userId: string) {
  const row = await env.DB.prepare("SELECT role FROM project_members WHERE project_id = ? AND user_id = ?")
    .bind(projectId, userId)
    .first<{ role: string }>();
  return row?.role ?? null;
}

async function lastAudit(projectId: string) {
  return env.DB.prepare(
    "SELECT action, actor, target_id, details FROM audit_log WHERE project_id = ? ORDER BY id DESC LIMIT 1",
  )
    .bind(projectId)
    .first<{ action: string; actor: string; target_id: string; details: string }>();
}

const setRole = (token: string, projectId: string, userId: string, role: unknown) =>
  call(`/v1/projects/${projectId}/members/${userId}`, {
    method: "PATCH",
    headers: asMember(token, projectId),
    body: { role },
  });

const remove = (token: string, projectId: string, userId: string) =>
  call(`/v1/projects/${projectId}/members/${userId}`, {
    method: "DELETE",
    headers: asMember(token, projectId),
  });

/** A project with one person of each role. */
async function team() {
  const { projectId, apiKey } = await seedProject();
  const owner = await seedMember(projectId, "owner");
  const admin = await seedMember(projectId, "admin");
  const member = await seedMember(projectId, "member");
  const viewer = await seedMember(projectId, "viewer");
  return { projectId, apiKey, owner, admin, member, viewer };
}

describe("members", () => {
  it("every member sees everyone with email, role and when they joined", async () => {
    const t = await team();
    const { members } = await json<{ members: MemberBody[] }>(
      await call(`/v1/projects/${t.projectId}/members`, {
        headers: asMember(t.viewer.accessToken, t.projectId),
      }),
      200,
    );
    expect(members.map((m) => [m.user_id, m.email, m.role])).toEqual([
      [t.owner.userId, t.owner.email, "owner"],
      [t.admin.userId, t.admin.email, "admin"],
      [t.member.userId, t.member.email, "member"],
      [t.viewer.userId, t.viewer.email, "viewer"],
    ]);
    expect(members[0]?.joined_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // A key with the read scope sees them too; another project's key does not.
    await json(
      await call(`/v1/projects/${t.projectId}/members`, { key: await keyWithScopes(t.projectId, "read") }),
      200,
    );
    const other = await seedProject();
    await expectError(
      await call(`/v1/projects/${t.projectId}/members`, { key: other.apiKey }),
      404,
      "NOT_FOUND",
    );
  });

  it("an admin changes roles below owner, and the change is stored and audited", async () => {
    const t = await team();
    const changed = await json<MemberBody>(
      await setRole(t.admin.accessToken, t.projectId, t.member.userId, "viewer"),
      200,
    );
    expect(changed).toMatchObject({ user_id: t.member.userId, role: "viewer", email: t.member.email });
    expect(await roleOf(t.projectId, t.member.userId)).toBe("viewer");
    const audit = await lastAudit(t.projectId);
    expect(audit).toMatchObject({
      action: "member.role_changed",
      actor: `user:${t.admin.userId}`,
      target_id: t.member.userId,
    });
    expect(JSON.parse(audit?.details ?? "{}")).toMatchObject({ from: "member", to: "viewer" });

    // The new role applies to the very next request.
    await expectError(
      await call("/v1/message", {
        headers: asMember(t.member.accessToken, t.projectId),
        body: { intent_id: "x", base_example: "hi" },
      }),
      403,
      "FORBIDDEN",
      /role 'viewer'/,
    );
    // The same role again is a no-op without an audit entry.
    await json(await setRole(t.admin.accessToken, t.projectId, t.member.userId, "viewer"), 200);
    expect((await lastAudit(t.projectId))?.target_id).toBe(t.member.userId);
  });

  it("an admin can neither make an owner nor demote or remove one", async () => {
    const t = await team();
    await expectError(
      await setRole(t.admin.accessToken, t.projectId, t.member.userId, "owner"),
      403,
      "FORBIDDEN",
      /only an owner can grant or remove the owner role/,
    );
    await expectError(
      await setRole(t.admin.accessToken, t.projectId, t.admin.userId, "owner"),
      403,
      "FORBIDDEN",
      /only an owner/,
    );
    await expectError(
      await setRole(t.admin.accessToken, t.projectId, t.owner.userId, "admin"),
      403,
      "FORBIDDEN",
      /only an owner/,
    );
    await expectError(
      await remove(t.admin.accessToken, t.projectId, t.owner.userId),
      403,
      "FORBIDDEN",
      /only an owner can remove an owner/,
    );
    expect(await roleOf(t.projectId, t.owner.userId)).toBe("owner");
    expect(await roleOf(t.projectId, t.member.userId)).toBe("member");
  });

  it("the statements themselves keep owners from non-owners, so a race cannot pass the app's check", async () => {
    const t = await team();
    const now = Date.now();
    // As if the admin's request passed its check and the member became an owner before the write.
    await env.DB.prepare("UPDATE project_members SET role = 'owner' WHERE project_id = ? AND user_id = ?")
      .bind(t.projectId, t.member.userId)
      .run();
    expect(await setMemberRole(db, t.projectId, t.member.userId, "viewer", now, { kind: "non_owner" })).toBe(
      "refused",
    );
    expect(await deleteMember(db, t.projectId, t.member.userId, { kind: "non_owner" })).toBe("refused");
    expect(await roleOf(t.projectId, t.member.userId)).toBe("owner");
    // An owner demoted before the write is refused the same way.
    expect(
      await setMemberRole(db, t.projectId, t.member.userId, "viewer", now, {
        kind: "owner",
        userId: t.admin.userId,
      }),
    ).toBe("refused");
    // Rows that are not an owner's change as before, and a standing owner may touch owners.
    expect(await setMemberRole(db, t.projectId, t.viewer.userId, "member", now, { kind: "non_owner" })).toBe(
      "changed",
    );
    expect(
      await setMemberRole(db, t.projectId, t.member.userId, "admin", now, {
        kind: "owner",
        userId: t.owner.userId,
      }),
    ).toBe("changed");
    // Someone leaving removes their own row whatever it became.
    await env.DB.prepare("UPDATE project_members SET role = 'owner' WHERE project_id = ? AND user_id = ?")
      .bind(t.projectId, t.viewer.userId)
      .run();
    expect(await deleteMember(db, t.projectId, t.viewer.userId, { kind: "self" })).toBe("removed");

    // Over HTTP the admin now facing an owner is a 403, and nothing changes.
    await expectError(
      await setRole(t.admin.accessToken, t.projectId, t.owner.userId, "viewer"),
      403,
      "FORBIDDEN",
      /only an owner/,
    );
    expect(await roleOf(t.projectId, t.owner.userId)).toBe("owner");
  });

  it("lists at most MEMBER_LIST_LIMIT (1,000) members, earliest first", async () => {
    const { projectId } = await seedProject();
    const owner = await seedMember(projectId, "owner");
    const tag = newId("usr");
    const extra = MEMBER_LIST_LIMIT + 5;
    // One statement each, so seeding a thousand people stays quick.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO users (id, email, name, created_at, updated_at)
       SELECT ? || 'm' || i, ? || 'm' || i || '@example.com', '', 0, 0 FROM n`,
    )
      .bind(extra, tag, tag)
      .run();
    await env.DB.prepare(
      `INSERT INTO project_members (project_id, user_id, role, created_at, updated_at)
       SELECT ?, id, 'viewer', ?, ? FROM users WHERE id LIKE ? || '%'`,
    )
      .bind(projectId, Date.now() + 1, Date.now() + 1, tag)
      .run();
    expect(MEMBER_LIST_LIMIT).toBe(1_000);
    const listed = await listMembersOf(db, projectId);
    expect(listed).toHaveLength(MEMBER_LIST_LIMIT);
    expect(listed[0]?.userId).toBe(owner.userId);
    const { members } = await json<{ members: MemberBody[] }>(
      await call(`/v1/projects/${projectId}/members`, { headers: asMember(owner.accessToken, projectId) }),
      200,
    );
    expect(members).toHaveLength(MEMBER_LIST_LIMIT);
  });

  it("members and viewers change no roles and remove no one else", async () => {
    const t = await team();
    for (const who of [t.member, t.viewer]) {
      await expectError(
        await setRole(who.accessToken, t.projectId, t.viewer.userId, "member"),
        403,
        "FORBIDDEN",
        /does not allow/,
      );
      await expectError(
        await remove(who.accessToken, t.projectId, t.admin.userId),
        403,
        "FORBIDDEN",
        /does not allow you to remove other members/,
      );
    }
    // Not even a made-up user id gets past the role check (nothing to learn by probing).
    await expectError(await remove(t.viewer.accessToken, t.projectId, "usr_nobody"), 403, "FORBIDDEN");
  });

  it("an owner hands over ownership, then may step down", async () => {
    const t = await team();
    await json(await setRole(t.owner.accessToken, t.projectId, t.admin.userId, "owner"), 200);
    expect(await roleOf(t.projectId, t.admin.userId)).toBe("owner");
    await json(await setRole(t.owner.accessToken, t.projectId, t.owner.userId, "member"), 200);
    expect(await roleOf(t.projectId, t.owner.userId)).toBe("member");
    // The new owner may now remove the former one.
    const res = await remove(t.admin.accessToken, t.projectId, t.owner.userId);
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await roleOf(t.projectId, t.owner.userId)).toBeNull();
    expect(await lastAudit(t.projectId)).toMatchObject({
      action: "member.removed",
      target_id: t.owner.userId,
    });
  });

  it("the last owner can neither step down nor leave (409), until someone else is owner", async () => {
    const t = await team();
    await expectError(
      await setRole(t.owner.accessToken, t.projectId, t.owner.userId, "admin"),
      409,
      "CONFLICT",
      LAST_OWNER,
    );
    await expectError(
      await remove(t.owner.accessToken, t.projectId, t.owner.userId),
      409,
      "CONFLICT",
      LAST_OWNER,
    );
    expect(await roleOf(t.projectId, t.owner.userId)).toBe("owner");

    await json(await setRole(t.owner.accessToken, t.projectId, t.member.userId, "owner"), 200);
    const res = await remove(t.owner.accessToken, t.projectId, t.owner.userId);
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await lastAudit(t.projectId)).toMatchObject({
      action: "member.left",
      actor: `user:${t.owner.userId}`,
    });
    await expectError(
      await call("/v1/experiments", { headers: asMember(t.owner.accessToken, t.projectId) }),
      404,
      "NOT_FOUND",
    );
  });

  it("two owners demoting each other at once leave one owner", async () => {
    const { projectId } = await seedProject();
    const a = await seedMember(projectId, "owner");
    const b = await seedMember(projectId, "owner");
    const [ra, rb] = await Promise.all([
      setRole(a.accessToken, projectId, b.userId, "admin"),
      setRole(b.accessToken, projectId, a.userId, "admin"),
    ]);
    const statuses = [ra.status, rb.status].sort();
    // Whichever ran first demoted the other; the second is then not an owner (403) or,
    // had both checks run before either write, refused by the statement's guard (409).
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const { results } = await env.DB.prepare(
      "SELECT count(*) AS n FROM project_members WHERE project_id = ? AND role = 'owner'",
    )
      .bind(projectId)
      .all<{ n: number }>();
    expect(results[0]?.n).toBe(1);
  });

  it("anyone may leave, and their access ends at once", async () => {
    const t = await team();
    const res = await remove(t.viewer.accessToken, t.projectId, t.viewer.userId);
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await roleOf(t.projectId, t.viewer.userId)).toBeNull();
    expect(await lastAudit(t.projectId)).toMatchObject({
      action: "member.left",
      actor: `user:${t.viewer.userId}`,
      target_id: t.viewer.userId,
    });
    await expectError(
      await call(`/v1/projects/${t.projectId}/members`, {
        headers: asMember(t.viewer.accessToken, t.projectId),
      }),
      404,
      "NOT_FOUND",
    );
  });

  it("an admin removes a member; unknown and foreign user ids are 404", async () => {
    const t = await team();
    const res = await remove(t.admin.accessToken, t.projectId, t.member.userId);
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await lastAudit(t.projectId)).toMatchObject({
      action: "member.removed",
      actor: `user:${t.admin.userId}`,
      target_id: t.member.userId,
    });
    await expectError(await remove(t.admin.accessToken, t.projectId, t.member.userId), 404, "NOT_FOUND");
    const other = await seedProject();
    const stranger = await seedMember(other.projectId, "viewer");
    await expectError(await remove(t.admin.accessToken, t.projectId, stranger.userId), 404, "NOT_FOUND");
    await expectError(
      await setRole(t.admin.accessToken, t.projectId, stranger.userId, "viewer"),
      404,
      "NOT_FOUND",
    );
    expect(await roleOf(other.projectId, stranger.userId)).toBe("viewer");
    // An owner of another project cannot act on this one's members.
    const otherOwner = await seedMember(other.projectId, "owner");
    await expectError(
      await call(`/v1/projects/${t.projectId}/members/${t.viewer.userId}`, {
        method: "DELETE",
        headers: asMember(otherOwner.accessToken, other.projectId),
      }),
      404,
      "NOT_FOUND",
    );
    expect(await roleOf(t.projectId, t.viewer.userId)).toBe("viewer");
  });

  it("API keys: the admin scope manages members below owner; the read scope removes no one", async () => {
    const t = await team();
    const readKey = await keyWithScopes(t.projectId, "read");
    await expectError(
      await call(`/v1/projects/${t.projectId}/members/${t.viewer.userId}`, {
        method: "DELETE",
        key: readKey,
      }),
      403,
      "FORBIDDEN",
      /lacks the 'admin' scope/,
    );
    const sdkKey = await keyWithScopes(t.projectId, "message");
    await expectError(
      await call(`/v1/projects/${t.projectId}/members/${t.viewer.userId}`, { method: "DELETE", key: sdkKey }),
      403,
      "FORBIDDEN",
    );
    await expectError(
      await call(`/v1/projects/${t.projectId}/members/${t.owner.userId}`, {
        method: "PATCH",
        key: t.apiKey,
        body: { role: "viewer" },
      }),
      403,
      "FORBIDDEN",
      /only an owner/,
    );
    await expectError(
      await call(`/v1/projects/${t.projectId}/members/${t.owner.userId}`, {
        method: "DELETE",
        key: t.apiKey,
      }),
      403,
      "FORBIDDEN",
      /only an owner/,
    );
    await json(
      await call(`/v1/projects/${t.projectId}/members/${t.member.userId}`, {
        method: "PATCH",
        key: t.apiKey,
        body: { role: "admin" },
      }),
      200,
    );
    const res = await call(`/v1/projects/${t.projectId}/members/${t.viewer.userId}`, {
      method: "DELETE",
      key: t.apiKey,
    });
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await lastAudit(t.projectId)).toMatchObject({
      action: "member.removed",
      actor: `api_key:${t.apiKey.slice(0, 12)}…`,
    });
  });

  it("a role outside the four is a 400", async () => {
    const t = await team();
    for (const role of ["superuser", "", null, 1, "OWNER"]) {
      await expectError(
        await setRole(t.owner.accessToken, t.projectId, t.member.userId, role),
        400,
        "BAD_REQUEST",
        /role/,
      );
    }
    await expectError(
      await call(`/v1/projects/${t.projectId}/members/${t.member.userId}`, {
        method: "PATCH",
        headers: asMember(t.owner.accessToken, t.projectId),
        body: { role: "admin", email: "x@example.com" },
      }),
      400,
      "BAD_REQUEST",
    );
  });
});
