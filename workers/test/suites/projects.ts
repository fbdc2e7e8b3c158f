import { env } from "cloudflare:workers";
import { newId, sha256Hex } from "@pushbunny/core";
import { insertApiKey } from "@pushbunny/db";
import { describe, expect, it } from "vitest";
import { buildContext } from "../../src/infra/build-context";
import { issueSession } from "../../src/services/auth/lib/sessions";
import { OWNED_PROJECTS_MAX } from "../../src/services/projects/rules";
import { asMember, call, db, expectError, json, keyWithScopes, seedMember, seedProject } from "../helpers";

interface ProjectBody {
  project_id: string;
  name: string;
  default_locale: string;
  challenger_count: number;
  role: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** A signed-in person who belongs to no project yet. */
async function seedPerson() {
  const userId = newId("usr");
  const email = `${userId}@example.com`;
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO users (id, email, name, email_verified_at, created_at, updated_at) VALUES (?, ?, '', ?, ?, ?)",
  )
    .bind(userId, email, now, now, now)
    .run();
  const session = await issueSession({
    ctx: buildContext(env, () => {}),
    input: { userId, email, method: "password" },
  });
  return {
    userId,
    email,
    token: session.accessToken,
    auth: { authorization: `Bearer ${session.accessToken}` },
  };
}

async function createProject(headers: Record<string, string>, body: Record<string, unknown>) {
  return json<ProjectBody>(await call("/v1/projects", { headers, body }), 201);
}

async function auditActions(projectId: string) {
  const { results } = await env.DB.prepare(
    "SELECT action, actor, target_id, details FROM audit_log WHERE project_id = ? ORDER BY id",
  )
    .bind(projectId)
    .all<{ action: string; actor: string; target_id: string; details: string }>();
  return results;
}

describe("projects", () => {
  it("a person creates a project and becomes its owner", async () => {
    const ada = await seedPerson();
    const project = await createProject(ada.auth, {
      name: "  Acme web  ",
      default_locale: "fr-fr",
      challenger_count: 0,
    });
    expect(project).toMatchObject({
      name: "Acme web",
      default_locale: "fr-FR",
      challenger_count: 0,
      role: "owner",
      created_by: `user:${ada.userId}`,
    });
    expect(project.project_id).toMatch(/^prj_[0-9a-f]{20}$/);

    const row = await env.DB.prepare(
      "SELECT name, default_locale, challenger_count, created_by, deleted_at FROM projects WHERE id = ?",
    )
      .bind(project.project_id)
      .first();
    expect(row).toEqual({
      name: "Acme web",
      default_locale: "fr-FR",
      challenger_count: 0,
      created_by: `user:${ada.userId}`,
      deleted_at: null,
    });
    const member = await env.DB.prepare(
      "SELECT role FROM project_members WHERE project_id = ? AND user_id = ?",
    )
      .bind(project.project_id, ada.userId)
      .first();
    expect(member).toEqual({ role: "owner" });
    expect(await auditActions(project.project_id)).toEqual([
      expect.objectContaining({ action: "project.created", actor: `user:${ada.userId}` }),
    ]);

    // The new project works for the person's session straight away.
    await json(await call("/v1/experiments", { headers: asMember(ada.token, project.project_id) }), 200);
  });

  it("creating takes defaults and refuses bad input with the 400 envelope", async () => {
    const ada = await seedPerson();
    const project = await createProject(ada.auth, { name: "Defaults" });
    expect(project.default_locale).toBe("en-US");
    const cases: [unknown, RegExp][] = [
      [{}, /name: required/],
      [{ name: "" }, /name: must not be empty/],
      [{ name: "   " }, /name: must not be empty/],
      [{ name: "x".repeat(101) }, /name: /],
      [{ name: "tab\there" }, /control characters/],
      [{ name: "ok", default_locale: "english" }, /default_locale: .*BCP 47/],
      [{ name: "ok", challenger_count: 11 }, /challenger_count/],
      [{ name: "ok", challenger_count: 1.5 }, /challenger_count/],
      [{ name: "ok", owner: "someone" }, /owner|unrecognized/i],
      [["name"], /expected object/],
    ];
    for (const [body, message] of cases) {
      await expectError(await call("/v1/projects", { headers: ada.auth, body }), 400, "BAD_REQUEST", message);
    }
  });

  it("a person owns at most OWNED_PROJECTS_MAX (50) live projects: the next create is a 409", async () => {
    const ada = await seedPerson();
    expect(OWNED_PROJECTS_MAX).toBe(50);
    await createProject(ada.auth, { name: "First" });
    // The other 49 in two statements; being a mere admin elsewhere does not count.
    const tag = newId("prj");
    const now = Date.now();
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO projects (id, name, created_by, created_at, updated_at)
       SELECT ? || '_' || i, 'Owned ' || i, ?, ?, ? FROM n`,
    )
      .bind(OWNED_PROJECTS_MAX, tag, `user:${ada.userId}`, now, now)
      .run();
    await env.DB.prepare(
      `INSERT INTO project_members (project_id, user_id, role, created_at, updated_at)
       SELECT id, ?, CASE WHEN id = ? THEN 'admin' ELSE 'owner' END, ?, ? FROM projects WHERE id LIKE ? || '%'`,
    )
      .bind(ada.userId, `${tag}_${OWNED_PROJECTS_MAX}`, now, now, tag)
      .run();
    await expectError(
      await call("/v1/projects", { headers: ada.auth, body: { name: "One too many" } }),
      409,
      "CONFLICT",
      /^you already own 50 projects, the most one person may own: delete one you no longer need/,
    );
    // A deleted project no longer counts.
    await env.DB.prepare("UPDATE projects SET deleted_at = ? WHERE id = ?").bind(now, `${tag}_1`).run();
    await createProject(ada.auth, { name: "Room again" });
    await expectError(
      await call("/v1/projects", { headers: ada.auth, body: { name: "Full again" } }),
      409,
      "CONFLICT",
      /already own 50 projects/,
    );
    // Someone else is unaffected.
    await createProject((await seedPerson()).auth, { name: "Theirs" });
  });

  it("creating and listing projects need a person: an API key gets 403", async () => {
    const { apiKey } = await seedProject();
    await expectError(
      await call("/v1/projects", { key: apiKey, body: { name: "By key" } }),
      403,
      "FORBIDDEN",
      /access token/,
    );
    await expectError(await call("/v1/projects", { key: apiKey }), 403, "FORBIDDEN");
    await expectError(await call("/v1/projects"), 401, "UNAUTHORIZED");
  });

  it("lists the person's live projects with their role, newest first, a page at a time", async () => {
    const ada = await seedPerson();
    const a = await createProject(ada.auth, { name: "First" });
    const b = await createProject(ada.auth, { name: "Second" });
    // A project Ada was added to as a viewer, and one she does not belong to.
    const { projectId: joined } = await seedProject();
    await env.DB.prepare(
      "INSERT INTO project_members (project_id, user_id, role, created_at, updated_at) VALUES (?, ?, 'viewer', ?, ?)",
    )
      .bind(joined, ada.userId, Date.now(), Date.now())
      .run();
    await seedProject();

    const all = await json<{ projects: ProjectBody[]; next_cursor: string | null }>(
      await call("/v1/projects", { headers: ada.auth }),
      200,
    );
    expect(all.next_cursor).toBeNull();
    expect(all.projects.map((p) => [p.project_id, p.role]).sort()).toEqual(
      [
        [a.project_id, "owner"],
        [b.project_id, "owner"],
        [joined, "viewer"],
      ].sort(),
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { projects: ProjectBody[]; next_cursor: string | null } = await json(
        await call(`/v1/projects?limit=1${cursor ? `&cursor=${cursor}` : ""}`, { headers: ada.auth }),
        200,
      );
      expect(page.projects.length).toBeLessThanOrEqual(1);
      seen.push(...page.projects.map((p) => p.project_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.projects.map((p) => p.project_id));

    await expectError(
      await call("/v1/projects?cursor=garbage", { headers: ada.auth }),
      400,
      "BAD_REQUEST",
      /cursor/,
    );
    await expectError(
      await call("/v1/projects?limit=101", { headers: ada.auth }),
      400,
      "BAD_REQUEST",
      /limit/,
    );
  });

  it("reads a project with the caller's role; API keys read their own project only", async () => {
    const { projectId, apiKey } = await seedProject();
    const other = await seedProject();
    const viewer = await seedMember(projectId, "viewer");
    const mine = await json<ProjectBody>(
      await call(`/v1/projects/${projectId}`, { headers: asMember(viewer.accessToken, projectId) }),
      200,
    );
    expect(mine).toMatchObject({ project_id: projectId, role: "viewer", default_locale: "en-US" });
    // The path names the project; no header needed.
    await json(
      await call(`/v1/projects/${projectId}`, { headers: { authorization: `Bearer ${viewer.accessToken}` } }),
      200,
    );
    const byKey = await json<ProjectBody>(await call(`/v1/projects/${projectId}`, { key: apiKey }), 200);
    expect(byKey.role).toBeNull();
    const readKey = await keyWithScopes(projectId, "read");
    await json(await call(`/v1/projects/${projectId}`, { key: readKey }), 200);
    const sdkKey = await keyWithScopes(projectId, "message");
    await expectError(
      await call(`/v1/projects/${projectId}`, { key: sdkKey }),
      403,
      "FORBIDDEN",
      /'read' scope/,
    );

    await expectError(await call(`/v1/projects/${projectId}`, { key: other.apiKey }), 404, "NOT_FOUND");
    await expectError(
      await call(`/v1/projects/${other.projectId}`, {
        headers: asMember(viewer.accessToken, other.projectId),
      }),
      404,
      "NOT_FOUND",
    );
    await expectError(
      await call("/v1/projects/prj_doesnotexist0000000", {
        headers: asMember(viewer.accessToken, projectId),
      }),
      404,
      "NOT_FOUND",
    );
  });

  it("admins rename and reconfigure; each change is audited; members cannot", async () => {
    const { projectId } = await seedProject();
    const admin = await seedMember(projectId, "admin");
    const member = await seedMember(projectId, "member");
    const headers = asMember(admin.accessToken, projectId);
    const changed = await json<ProjectBody>(
      await call(`/v1/projects/${projectId}`, {
        method: "PATCH",
        headers,
        body: { name: "Renamed", default_locale: "de-de", challenger_count: 5 },
      }),
      200,
    );
    expect(changed).toMatchObject({
      name: "Renamed",
      default_locale: "de-DE",
      challenger_count: 5,
      role: "admin",
    });
    const row = await env.DB.prepare(
      "SELECT name, default_locale, challenger_count FROM projects WHERE id = ?",
    )
      .bind(projectId)
      .first();
    expect(row).toEqual({ name: "Renamed", default_locale: "de-DE", challenger_count: 5 });
    const audit = await auditActions(projectId);
    expect(audit.map((a) => a.action)).toEqual(["project.renamed", "project.updated"]);
    expect(audit.every((a) => a.actor === `user:${admin.userId}`)).toBe(true);
    expect(JSON.parse(audit[0]?.details ?? "{}")).toEqual({ from: `test ${projectId}`, to: "Renamed" });
    expect(JSON.parse(audit[1]?.details ?? "{}")).toEqual({
      default_locale: { from: "en-US", to: "de-DE" },
      challenger_count: { from: 3, to: 5 },
    });

    // The same values again change nothing and audit nothing.
    await json(
      await call(`/v1/projects/${projectId}`, { method: "PATCH", headers, body: { name: "Renamed" } }),
      200,
    );
    expect(await auditActions(projectId)).toHaveLength(2);

    await expectError(
      await call(`/v1/projects/${projectId}`, {
        method: "PATCH",
        headers: asMember(member.accessToken, projectId),
        body: { name: "Nope" },
      }),
      403,
      "FORBIDDEN",
      /role 'member'/,
    );
    for (const [body, message] of [
      [{}, /nothing to change/],
      [{ name: "" }, /name/],
      [{ challenger_count: -1 }, /challenger_count/],
      [{ challenger_count: 11 }, /challenger_count/],
      [{ default_locale: "12" }, /default_locale/],
      [{ limits: {} }, /limits|unrecognized/i],
    ] as const) {
      await expectError(
        await call(`/v1/projects/${projectId}`, { method: "PATCH", headers, body }),
        400,
        "BAD_REQUEST",
        message,
      );
    }
  });

  it("an admin-scoped key may change its project's settings, a read key may not", async () => {
    const { projectId, apiKey } = await seedProject();
    const readKey = await keyWithScopes(projectId, "read");
    await expectError(
      await call(`/v1/projects/${projectId}`, { method: "PATCH", key: readKey, body: { name: "x" } }),
      403,
      "FORBIDDEN",
      /'admin' scope/,
    );
    const changed = await json<ProjectBody>(
      await call(`/v1/projects/${projectId}`, { method: "PATCH", key: apiKey, body: { name: "By key" } }),
      200,
    );
    expect(changed.name).toBe("By key");
    const audit = await auditActions(projectId);
    expect(audit.at(-1)).toMatchObject({
      action: "project.renamed",
      actor: `api_key:${apiKey.slice(0, 12)}…`,
    });
  });

  it("only an owner deletes; afterwards members get 404 and the project's keys 401", async () => {
    const ada = await seedPerson();
    const project = await createProject(ada.auth, { name: "Doomed", challenger_count: 0 });
    const projectId = project.project_id;
    const admin = await seedMember(projectId, "admin");
    const viewer = await seedMember(projectId, "viewer");
    const apiKey = `pb_test_${newId("key").slice(4)}`;
    await insertApiKey(db, {
      id: newId("key"),
      projectId,
      name: "all scopes",
      prefix: apiKey.slice(0, 12),
      digest: await sha256Hex(apiKey),
      now: Date.now(),
      scopes: "message,read,admin",
    });
    // The key works (and is now cached in this isolate and in KV).
    await json(await call("/v1/experiments", { key: apiKey }), 200);
    await json(await call(`/v1/projects/${projectId}`, { key: apiKey }), 200);

    await expectError(
      await call(`/v1/projects/${projectId}`, {
        method: "DELETE",
        headers: asMember(admin.accessToken, projectId),
      }),
      403,
      "FORBIDDEN",
      /role 'admin'/,
    );
    await expectError(
      await call(`/v1/projects/${projectId}`, { method: "DELETE", key: apiKey }),
      403,
      "FORBIDDEN",
      /API keys cannot/,
    );
    const res = await call(`/v1/projects/${projectId}`, { method: "DELETE", headers: ada.auth });
    expect(res.status, await res.clone().text()).toBe(204);

    const row = await env.DB.prepare("SELECT deleted_at FROM projects WHERE id = ?")
      .bind(projectId)
      .first<{ deleted_at: number | null }>();
    expect(row?.deleted_at).toBeGreaterThan(0);
    expect((await auditActions(projectId)).at(-1)).toMatchObject({
      action: "project.deleted",
      actor: `user:${ada.userId}`,
    });

    for (const who of [ada.token, admin.accessToken, viewer.accessToken]) {
      await expectError(
        await call(`/v1/projects/${projectId}`, { headers: asMember(who, projectId) }),
        404,
        "NOT_FOUND",
      );
      await expectError(
        await call("/v1/experiments", { headers: asMember(who, projectId) }),
        404,
        "NOT_FOUND",
      );
      await expectError(
        await call(`/v1/projects/${projectId}/members`, { headers: asMember(who, projectId) }),
        404,
        "NOT_FOUND",
      );
    }
    await expectError(
      await call(`/v1/projects/${projectId}`, { method: "DELETE", headers: ada.auth }),
      404,
      "NOT_FOUND",
    );
    await expectError(await call("/v1/experiments", { key: apiKey }), 401, "UNAUTHORIZED");
    await expectError(await call(`/v1/projects/${projectId}`, { key: apiKey }), 401, "UNAUTHORIZED");
    const list = await json<{ projects: ProjectBody[] }>(
      await call("/v1/projects", { headers: ada.auth }),
      200,
    );
    expect(list.projects.map((p) => p.project_id)).not.toContain(projectId);
  });
});
