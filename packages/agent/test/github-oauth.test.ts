import { describe, expect, it } from "vitest";
import type { GitHubStub } from "../../../workers/test-support/github-stub-server";
import {
  canAdministerAccount,
  exchangeOAuthCode,
  getOrgMembership,
  getUserLogin,
  userInstallationIds,
} from "../src";
import { acme, app, failure, solo, stub, useGitHubStub } from "./github-setup";

useGitHubStub();

describe("OAuth: the setup callback learns which installations the person can reach", () => {
  it("exchanges a code for a user token and lists the user's installations", async () => {
    const code = stub.addOAuthCode([acme, solo]);
    const token = await exchangeOAuthCode(app, code);
    expect(token).toMatch(/^ghu_/);
    expect((await userInstallationIds(app, token)).sort()).toEqual([acme, solo].sort());
    // A code is good once; GitHub answers the second use with 200 and { error }.
    const again = await failure(exchangeOAuthCode(app, code));
    expect(again).toMatchObject({ code: "unauthorized" });
    expect(again.message).toContain("bad_verification_code");
  });

  it("a bad code, wrong client credentials, a bad user token and a missing client id are refused", async () => {
    expect((await failure(exchangeOAuthCode(app, "0000"))).code).toBe("unauthorized");
    const wrongSecret = await failure(
      exchangeOAuthCode({ ...app, clientSecret: "nope" }, stub.addOAuthCode([acme])),
    );
    expect(wrongSecret.message).toContain(
      "GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET (incorrect_client_credentials)",
    );
    expect((await failure(exchangeOAuthCode(app, "a b"))).code).toBe("unauthorized");
    const noClient = await failure(exchangeOAuthCode({ ...app, clientId: undefined }, "abc"));
    expect(noClient).toMatchObject({ code: "invalid" });
    expect(noClient.message).toContain("GITHUB_CLIENT_ID");
    const badUser = await failure(userInstallationIds(app, "ghu_unknown"));
    expect(badUser.code).toBe("unauthorized");
    expect(badUser.message).toContain("authorize the App again");
  });
});

describe("OAuth: whether the person administers the installation's account", () => {
  const tokenFor = async (user: Parameters<GitHubStub["addOAuthCode"]>[1] = {}) =>
    exchangeOAuthCode(app, stub.addOAuthCode([acme, solo], user));

  it("reads the user's login and organization membership with their own token", async () => {
    const token = await tokenFor({
      login: "octo",
      memberships: { acme: { state: "active", role: "member" } },
    });
    expect(await getUserLogin(app, token)).toBe("octo");
    expect(await getOrgMembership(app, token, "acme")).toEqual({ state: "active", role: "member" });
    expect(await getOrgMembership(app, token, "elsewhere")).toBeNull();
    expect((await failure(getOrgMembership(app, token, "../x"))).code).toBe("invalid");
    // An App without the Members permission: GitHub's 403 says what to change, not "not an admin".
    stub.setFailure({ status: 403, match: "GET /user/memberships/orgs/acme", times: 1 });
    const refused = await failure(getOrgMembership(app, token, "acme"));
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toContain('"Members" organization permission');
  });

  it("an organization needs an active admin; a personal account needs its owner", async () => {
    const org = { login: "acme", type: "Organization" };
    const admin = await tokenFor({
      login: "octo",
      memberships: { acme: { state: "active", role: "admin" } },
    });
    expect(await canAdministerAccount(app, admin, org)).toBe(true);
    const member = await tokenFor({
      login: "octo",
      memberships: { acme: { state: "active", role: "member" } },
    });
    expect(await canAdministerAccount(app, member, org)).toBe(false);
    const invited = await tokenFor({
      login: "octo",
      memberships: { acme: { state: "pending", role: "admin" } },
    });
    expect(await canAdministerAccount(app, invited, org)).toBe(false);
    const outsider = await tokenFor({ login: "octo", memberships: {} });
    expect(await canAdministerAccount(app, outsider, org)).toBe(false);

    const person = { login: "solo", type: "User" };
    expect(await canAdministerAccount(app, await tokenFor({ login: "SOLO" }), person)).toBe(true);
    expect(await canAdministerAccount(app, await tokenFor({ login: "mallory" }), person)).toBe(false);
    // An org admin of acme is not thereby the owner of solo's personal account.
    expect(await canAdministerAccount(app, admin, person)).toBe(false);
  });
});
