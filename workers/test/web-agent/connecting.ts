import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asMember, call, expectError, json, seedProject } from "../helpers";
import {
  authorize,
  callWith,
  connect,
  dashboardCookie,
  GITHUB,
  type Installation,
  installation,
  oauthCode,
  setup,
  stubPost,
  withAgent,
} from "./helpers";

describe("connecting GitHub", () => {
  it("authorize → setup links the installation the person can reach; the status lists its repositories", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    expect(await json(await call("/v1/github", { key: apiKey }), 200)).toMatchObject({ connected: false });

    const connected = await connect(apiKey, projectId, inst);
    expect(connected).toMatchObject({ connected: true, project_id: projectId, installation_id: inst.id });
    const status = await json<{
      connected: boolean;
      account_login: string;
      state: string;
      repositories: { full_name: string; default_branch: string }[];
    }>(await call("/v1/github", { key: apiKey }), 200);
    expect(status).toMatchObject({
      connected: true,
      account_login: inst.login,
      account_type: "Organization",
      state: "active",
    });
    expect(status.repositories).toEqual([
      { full_name: inst.repository, default_branch: "main", private: true },
    ]);
    const row = await env.DB.prepare(
      "SELECT installation_id, connected_by FROM github_installations WHERE project_id = ?",
    )
      .bind(projectId)
      .first<{ installation_id: number; connected_by: string }>();
    expect(row?.installation_id).toBe(inst.id);
    expect(row?.connected_by).toMatch(/^api_key:/);
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE project_id = ? AND action LIKE 'github.%'",
    )
      .bind(projectId)
      .all<{ action: string }>();
    expect(audit.results.map((r) => r.action)).toEqual(["github.connected"]);
  });

  it("refuses a stated installation_id the person cannot reach, and a state used twice", async () => {
    const { apiKey, projectId } = await seedProject();
    const mine = await installation();
    const theirs = await installation();
    const state = await authorize(apiKey);
    const code = await oauthCode([mine.id]);
    const { cookie } = await dashboardCookie(projectId);
    await expectError(
      await setup(
        { installation_id: String(theirs.id), setup_action: "install", state, code },
        undefined,
        cookie,
      ),
      403,
      "FORBIDDEN",
      new RegExp(`installation ${theirs.id} is not one your GitHub account can reach`),
    );
    // The state was spent by the refused attempt: it works once.
    await expectError(
      await setup(
        {
          installation_id: String(mine.id),
          setup_action: "install",
          state,
          code: await oauthCode([mine.id]),
        },
        undefined,
        cookie,
      ),
      400,
      "BAD_REQUEST",
      /unknown, used or expired setup state/,
    );
    await expectError(
      await setup({ installation_id: String(mine.id), state: "made-up" }),
      400,
      "BAD_REQUEST",
    );
    const row = await env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?")
      .bind(projectId)
      .first();
    expect(row).toBeNull();
  });

  it("a bad OAuth code is the caller's 400; a browser gets a page, a success redirects to the dashboard", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    const { cookie } = await dashboardCookie(projectId, "owner");
    const bad = await setup(
      { installation_id: String(inst.id), state: await authorize(apiKey), code: "nope" },
      undefined,
      cookie,
    );
    await expectError(bad, 400, "BAD_REQUEST", /GitHub refused the OAuth code/);
    const page = await setup({ installation_id: String(inst.id), state: "unknown" }, "text/html");
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/GitHub was not connected/);
    const ok = await setup(
      {
        installation_id: String(inst.id),
        setup_action: "install",
        state: await authorize(apiKey),
        code: await oauthCode([inst.id]),
      },
      "text/html,application/xhtml+xml",
      cookie,
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe(`/app/p/${projectId}/settings?github=connected`);
  });

  it("setup needs the dashboard signed in as an admin of the project (the one who asked, when a person asked); refusals store nothing and spend nothing", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    const state = await authorize(apiKey);
    const query = () => ({ installation_id: String(inst.id), setup_action: "install", state });
    const refused = /sign in to the dashboard as an admin of .+ and open the install link again/;

    await expectError(
      await setup({ ...query(), code: await oauthCode([inst.id]) }),
      403,
      "FORBIDDEN",
      refused,
    );
    const page = await setup({ ...query(), code: await oauthCode([inst.id]) }, "text/html");
    expect(page.status).toBe(403);
    expect(await page.text()).toMatch(/sign in to the dashboard as an admin of/);
    const member = await dashboardCookie(projectId, "member");
    await expectError(
      await setup({ ...query(), code: await oauthCode([inst.id]) }, undefined, member.cookie),
      403,
      "FORBIDDEN",
      refused,
    );
    const elsewhere = await seedProject();
    const otherAdmin = await dashboardCookie(elsewhere.projectId, "owner");
    await expectError(
      await setup({ ...query(), code: await oauthCode([inst.id]) }, undefined, otherAdmin.cookie),
      403,
      "FORBIDDEN",
      refused,
    );
    await expectError(
      await setup(
        { ...query(), code: await oauthCode([inst.id]) },
        undefined,
        "__Host-pb_session=pbr_forged",
      ),
      403,
      "FORBIDDEN",
    );
    const stored = () =>
      env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?").bind(projectId).first();
    expect(await stored()).toBeNull();

    // Signed in as an admin, the same link still works: the refusals did not spend it.
    const admin = await dashboardCookie(projectId);
    await json(await setup({ ...query(), code: await oauthCode([inst.id]) }, undefined, admin.cookie), 200);
    expect(await stored()).not.toBeNull();

    // A link a person asked for is theirs: another admin of the project cannot finish it.
    const asker = await dashboardCookie(projectId);
    const mine = await json<{ install_url: string }>(
      await call("/v1/github/authorize", { headers: asMember(asker.accessToken, projectId) }),
      200,
    );
    const personal = new URL(mine.install_url).searchParams.get("state") ?? "";
    const again = () => ({ installation_id: String(inst.id), state: personal });
    await expectError(
      await setup({ ...again(), code: await oauthCode([inst.id]) }, undefined, admin.cookie),
      403,
      "FORBIDDEN",
      /the admin who asked for the install link/,
    );
    await json(await setup({ ...again(), code: await oauthCode([inst.id]) }, undefined, asker.cookie), 200);
  });

  it("the GitHub user must administer the installation's account: an active org admin, or the personal account's owner", async () => {
    const { apiKey, projectId } = await seedProject();
    const { cookie } = await dashboardCookie(projectId);
    const org = await installation();
    const attempt = async (inst: Installation, user: Parameters<typeof oauthCode>[1]) =>
      setup(
        {
          installation_id: String(inst.id),
          setup_action: "install",
          state: await authorize(apiKey),
          code: await oauthCode([inst.id], user),
        },
        undefined,
        cookie,
      );
    for (const memberships of [
      {},
      { [org.login]: { state: "active", role: "member" } },
      { [org.login]: { state: "pending", role: "admin" } },
    ]) {
      await expectError(
        await attempt(org, { login: "someone", memberships }),
        403,
        "FORBIDDEN",
        new RegExp(`not an admin of the organization ${org.login}`),
      );
    }
    const login = `solo-${crypto.randomUUID().slice(0, 8)}`;
    const res = await fetch(`${GITHUB}/__stub/installations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        account: { login, type: "User" },
        repositories: { site: { files: { "a.txt": "a" } } },
      }),
    });
    const personal: Installation = {
      id: ((await res.json()) as { id: number }).id,
      login,
      repository: `${login}/site`,
    };
    await expectError(
      await attempt(personal, { login: "mallory", memberships: {} }),
      403,
      "FORBIDDEN",
      new RegExp(`${login}'s personal account, not yours`),
    );
    expect(
      await env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?").bind(projectId).first(),
    ).toBeNull();
    expect(await json(await attempt(personal, { login: login.toUpperCase() }), 200)).toMatchObject({
      installation_id: personal.id,
    });
    expect(
      await json(
        await attempt(org, {
          login: "boss",
          memberships: { [org.login]: { state: "active", role: "admin" } },
        }),
        200,
      ),
    ).toMatchObject({ installation_id: org.id });
  });

  it("an installation connected to another project is refused (409); the same project may connect it again", async () => {
    const first = await seedProject();
    const second = await seedProject();
    const inst = await installation();
    await connect(first.apiKey, first.projectId, inst);
    const { cookie } = await dashboardCookie(second.projectId);
    await expectError(
      await setup(
        {
          installation_id: String(inst.id),
          setup_action: "install",
          state: await authorize(second.apiKey),
          code: await oauthCode([inst.id]),
        },
        undefined,
        cookie,
      ),
      409,
      "CONFLICT",
      /connected to another PushBunny project/,
    );
    expect(
      await env.DB.prepare("SELECT 1 FROM github_installations WHERE project_id = ?")
        .bind(second.projectId)
        .first(),
    ).toBeNull();
    await connect(first.apiKey, first.projectId, inst);
  });

  it("GET /v1/github reuses the repository list for a minute instead of minting a token each call", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    await connect(apiKey, projectId, inst);
    const first = await json<{ repositories: unknown[] }>(await call("/v1/github", { key: apiKey }), 200);
    expect(first.repositories).toHaveLength(1);
    // GitHub now refuses the App any token for it: only a cached list can still answer.
    await stubPost(`/__stub/installations/${inst.id}/suspend`);
    const second = await json<{ repositories: unknown[] }>(await call("/v1/github", { key: apiKey }), 200);
    expect(second.repositories).toEqual(first.repositories);
    await stubPost(`/__stub/installations/${inst.id}/unsuspend`);
  });

  it("only admins authorize and disconnect; disconnecting keeps the App installed", async () => {
    const { apiKey, projectId } = await seedProject();
    const inst = await installation();
    await connect(apiKey, projectId, inst);
    const { keyWithScopes } = await import("../helpers");
    const reader = await keyWithScopes(projectId, "read");
    await expectError(await call("/v1/github/authorize", { key: reader }), 403, "FORBIDDEN");
    await expectError(await call("/v1/github", { key: reader, method: "DELETE" }), 403, "FORBIDDEN");
    const out = await json<{ note: string }>(
      await call("/v1/github", { key: apiKey, method: "DELETE" }),
      200,
    );
    expect(out.note).toMatch(/still installed/);
    expect(await json(await call("/v1/github", { key: apiKey }), 200)).toMatchObject({ connected: false });
    await expectError(await call("/v1/github", { key: apiKey, method: "DELETE" }), 404, "NOT_FOUND");
  });

  it("says which variables are missing when the App is not configured", async () => {
    const { apiKey } = await seedProject();
    const res = await callWith(
      withAgent({ GITHUB_APP_PRIVATE_KEY: "", GITHUB_CLIENT_SECRET: undefined }),
      "/v1/github/authorize",
      {
        key: apiKey,
      },
    );
    await expectError(
      res,
      503,
      "SERVICE_UNAVAILABLE",
      /not_configured.*GITHUB_APP_PRIVATE_KEY, GITHUB_CLIENT_SECRET/,
    );
  });
});
