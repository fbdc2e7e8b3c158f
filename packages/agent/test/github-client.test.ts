import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GitHubStub,
  pullRequestEventPayload,
  signGitHubWebhookBody,
  startGitHubStub,
} from "../../../workers/test-support/github-stub-server";
import {
  canAdministerAccount,
  createAppJwt,
  createRepoApi,
  detectFramework,
  exchangeOAuthCode,
  findOpenPullRequest,
  findTargetFiles,
  type GitHubAppConfig,
  GitHubError,
  getInstallation,
  getOrgMembership,
  getUserLogin,
  installUrl,
  listInstallationRepositories,
  mintInstallationToken,
  parsePullRequestEvent,
  pkcs1ToPkcs8,
  repoSnapshot,
  signGitHubWebhook,
  userInstallationIds,
  verifyGitHubSignature,
} from "../src";
import { fixture } from "./fixtures";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
// A PNG header: not valid UTF-8 (0x89) and has NULs.
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

let stub: GitHubStub;
let app: GitHubAppConfig;
let acme: number;
let solo: number;
let sleepy: number;

beforeAll(async () => {
  stub = await startGitHubStub();
  acme = stub.addInstallation({
    account: { login: "acme", type: "Organization" },
    repositories: {
      web: { folder: `${FIXTURES}next-app` },
      vite: { folder: `${FIXTURES}react-vite` },
      vue: { folder: `${FIXTURES}vue-vite` },
      mono: { folder: `${FIXTURES}monorepo`, truncateTreeAt: 5 },
      blank: { empty: true },
      assets: {
        files: {
          "README.md": "# assets\n",
          "logo.png": PNG,
          "latin1.txt": Uint8Array.from([0x63, 0x61, 0x66, 0xe9]),
          "bom.txt": "\uFEFFhello",
        },
        defaultBranch: "trunk",
      },
      other: { files: { "index.js": "export {};\n" } },
      intl: { files: { "a.txt": "à" }, defaultBranch: "développement" },
    },
  }).id;
  solo = stub.addInstallation({ account: { login: "solo", type: "User" }, repositories: {} }).id;
  sleepy = stub.addInstallation({ account: { login: "sleepy" }, suspended: true }).id;
  app = {
    appId: stub.appId,
    privateKeyPem: stub.privateKeyPem,
    slug: stub.slug,
    apiUrl: stub.url,
    webUrl: stub.url,
    clientId: stub.clientId,
    clientSecret: stub.clientSecret,
  };
});

afterAll(async () => {
  await stub.close();
});

async function repoApi(name: string, repositories = [name]) {
  const { token } = await mintInstallationToken(app, acme, { repositories });
  return createRepoApi({ apiUrl: stub.url, token, fullName: name });
}

/** The GitHubError a call rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<GitHubError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a GitHubError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(GitHubError);
  return outcome.error as GitHubError;
}

const decodeSegment = (segment: string) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));

describe("the App JWT", () => {
  it("is RS256 over iat = now - 60 s, exp = now + 9 min, iss = the App id, verifiable with the App's public key", async () => {
    const now = Date.UTC(2026, 11, 6, 21, 0, 0);
    const jwt = await createAppJwt(app, now);
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    expect(decodeSegment(header)).toEqual({ alg: "RS256", typ: "JWT" });
    expect(decodeSegment(payload)).toEqual({ iat: now / 1000 - 60, exp: now / 1000 + 540, iss: stub.appId });
    const publicKey = createPublicKey(stub.privateKeyPem);
    const input = Buffer.from(`${header}.${payload}`);
    expect(verify("sha256", input, publicKey, Buffer.from(signature, "base64url"))).toBe(true);
    expect(verify("sha256", Buffer.from(`${header}.x`), publicKey, Buffer.from(signature, "base64url"))).toBe(
      false,
    );
  });

  it("the stub accepts it: PKCS#1 (GitHub's download), PKCS#8, and a key pasted with literal \\n", async () => {
    for (const privateKeyPem of [
      stub.privateKeyPem,
      stub.privateKeyPkcs8Pem,
      stub.privateKeyPem.trim().replace(/\n/g, "\\n"),
    ]) {
      const installation = await getInstallation({ ...app, privateKeyPem }, acme);
      expect(installation.accountLogin).toBe("acme");
    }
    const last = stub.state.jwts().at(-1);
    expect(last?.payload.iss).toBe(stub.appId);
  });

  it("wrapping PKCS#1 in PKCS#8 gives the bytes Node's own PKCS#8 export has", () => {
    const der = (pem: string) =>
      Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
    const wrapped = pkcs1ToPkcs8(new Uint8Array(der(stub.privateKeyPem)));
    expect(Buffer.from(wrapped).equals(der(stub.privateKeyPkcs8Pem))).toBe(true);
  });

  it.each([
    ["not a PEM at all", () => "hello", "is not a PEM private key"],
    [
      "an EC key",
      () => "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
      "is not an unencrypted RSA private key",
    ],
    [
      "DER that is not an RSA key",
      () =>
        `-----BEGIN RSA PRIVATE KEY-----\n${Buffer.from([0x30, 0x81, 0x80, ...new Array(128).fill(7)]).toString("base64")}\n-----END RSA PRIVATE KEY-----`,
      "could not be read as an RSA private key",
    ],
    ["bad base64", () => "-----BEGIN PRIVATE KEY-----\n%%%%\n-----END PRIVATE KEY-----", "not valid base64"],
    [
      "mismatched BEGIN/END lines",
      () => stub.privateKeyPem.replace("END RSA PRIVATE KEY", "END PRIVATE KEY"),
      "mismatched BEGIN/END",
    ],
  ])(
    "a malformed key (%s) is a clear unauthorized error naming GITHUB_APP_PRIVATE_KEY",
    async (_, pem, says) => {
      const error = await failure(createAppJwt({ appId: "1", privateKeyPem: pem() }, Date.now()));
      expect(error.code).toBe("unauthorized");
      expect(error.message).toContain("GITHUB_APP_PRIVATE_KEY");
      expect(error.message).toContain(says);
    },
  );

  it("a key the App does not hold: 401, and the message says which settings to check", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const other = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const error = await failure(mintInstallationToken({ ...app, privateKeyPem: other }, acme));
    expect(error).toMatchObject({ code: "unauthorized", status: 401, retryable: false });
    expect(error.message).toContain("GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY");
    expect(error.message).toContain(`mint a token for installation ${acme}`);
  });

  it("another App's id is refused the same way", async () => {
    const error = await failure(getInstallation({ ...app, appId: "999" }, acme));
    expect(error.code).toBe("unauthorized");
  });
});

describe("installations and tokens", () => {
  it("mints a token narrowed to contents/pull_requests write, metadata read and the one repository", async () => {
    const before = Date.now();
    const { token, expiresAt } = await mintInstallationToken(app, acme, { repositories: ["acme/web"] });
    const minted = stub.state.tokens().find((t) => t.token === token);
    expect(minted).toMatchObject({
      installationId: acme,
      permissions: { contents: "write", pull_requests: "write", metadata: "read" },
      repositories: ["acme/web"],
    });
    expect(expiresAt.getTime()).toBeGreaterThanOrEqual(before + 59 * 60_000);
    // The narrowed token cannot see the installation's other repositories.
    const web = createRepoApi({ apiUrl: stub.url, token, fullName: "acme/web" });
    expect((await web.getRepository()).fullName).toBe("acme/web");
    const other = createRepoApi({ apiUrl: stub.url, token, fullName: "acme/other" });
    const error = await failure(other.getRepository());
    expect(error).toMatchObject({ code: "not_found", status: 404 });
    expect(error.message).toContain(
      "the App's installation cannot see acme/other (or it does not exist): add the repository to the installation",
    );
    expect(await listInstallationRepositories(app, token)).toEqual([
      { fullName: "acme/web", defaultBranch: "main", private: true },
    ]);
  });

  it("a repository outside the installation cannot be put in a token", async () => {
    const error = await failure(mintInstallationToken(app, acme, { repositories: ["nope"] }));
    expect(error.code).toBe("invalid");
    expect(error.message).toContain("not accessible to the parent installation");
  });

  it("reads the installation: account, type, selection, suspension", async () => {
    expect(await getInstallation(app, solo)).toEqual({
      id: solo,
      accountLogin: "solo",
      accountType: "User",
      repositorySelection: "selected",
      suspended: false,
    });
    expect((await getInstallation(app, sleepy)).suspended).toBe(true);
    expect((await failure(mintInstallationToken(app, sleepy))).code).toBe("forbidden");
  });

  it("an unknown installation is not_found and says so; a nonsense id never reaches GitHub", async () => {
    const error = await failure(mintInstallationToken(app, 987654));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain("installation 987654 does not exist for this App");
    const calls = stub.state.requests().length;
    expect((await failure(getInstallation(app, -1))).code).toBe("invalid");
    expect((await failure(getInstallation(app, 1.5))).code).toBe("invalid");
    expect(stub.state.requests().length).toBe(calls);
  });

  it("lists every repository across pages", async () => {
    const repositories: Record<string, { files: Record<string, string> }> = {};
    for (let i = 0; i < 130; i += 1) repositories[`r${i}`] = { files: { "a.txt": String(i) } };
    const many = stub.addInstallation({ account: { login: "many" }, repositories });
    const { token } = await mintInstallationToken(app, many.id);
    const listed = await listInstallationRepositories(app, token);
    expect(listed.map((r) => r.fullName).sort()).toEqual([...many.repositories].sort());
    expect(listed).toHaveLength(130);
  });

  it("never follows a Link header to another origin with the token", async () => {
    const seen: string[] = [];
    const fetcher: typeof fetch = async (input) => {
      seen.push(String(input));
      return Response.json(
        { total_count: 2, repositories: [{ full_name: "a/b", default_branch: "main", private: false }] },
        { headers: { link: '<https://evil.example/installation/repositories?page=2>; rel="next"' } },
      );
    };
    const listed = await listInstallationRepositories({ apiUrl: stub.url, fetch: fetcher }, "ghs_x");
    expect(listed).toHaveLength(1);
    expect(seen).toEqual([`${stub.url}/installation/repositories?per_page=100`]);
  });

  it("builds the install URL with the state encoded", () => {
    expect(installUrl({ webUrl: "https://ghe.example.com/", slug: "pushbunny" }, "a b&c")).toBe(
      "https://ghe.example.com/apps/pushbunny/installations/new?state=a%20b%26c",
    );
  });
});

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

describe("a retried run finds its own pull request", () => {
  it("finds the open PR from the branch, not another branch's, not a closed one", async () => {
    const { token } = await mintInstallationToken(app, acme, { repositories: ["acme/vite"] });
    const api = createRepoApi({ apiUrl: stub.url, token, fullName: "acme/vite" });
    const head = await api.getBranchHead("main");
    const open = async (branch: string) => {
      const blob = await api.createBlob(branch);
      const tree = await api.createTree(head.treeSha, [{ path: "x.txt", sha: blob.sha, mode: "100644" }]);
      const commit = await api.createCommit({
        message: branch,
        treeSha: tree.sha,
        parentShas: [head.commitSha],
      });
      await api.createBranch(branch, commit.sha);
      return api.createPullRequest({ title: branch, body: "", head: branch, base: "main", draft: true });
    };
    const mine = await open("pushbunny/find-a1");
    await open("pushbunny/find-b2");
    expect(await findOpenPullRequest({ apiUrl: stub.url }, token, "acme/vite", "pushbunny/find-a1")).toEqual({
      pullNumber: mine.number,
      pullUrl: mine.htmlUrl,
    });
    expect(await findOpenPullRequest({ apiUrl: stub.url }, token, "acme/vite", "pushbunny/none")).toBeNull();
    await fetch(`${stub.url}/__stub/repos/acme/vite/pulls/${mine.number}/close`, { method: "POST" });
    expect(
      await findOpenPullRequest({ apiUrl: stub.url }, token, "acme/vite", "pushbunny/find-a1"),
    ).toBeNull();
    expect((await failure(findOpenPullRequest({ apiUrl: stub.url }, token, "nope", "b"))).code).toBe(
      "invalid",
    );
  });
});

describe("redirects", () => {
  it("never follows one: the token must not travel off the API's origin", async () => {
    const seen: (string | undefined)[] = [];
    const fetcher: typeof fetch = async (_input, init) => {
      seen.push(init?.redirect);
      return new Response(null, { status: 302, headers: { location: "https://evil.example/steal" } });
    };
    const err = await failure(listInstallationRepositories({ apiUrl: stub.url, fetch: fetcher }, "ghs_x"));
    expect(err).toBeInstanceOf(GitHubError);
    expect(err.status).toBe(302);
    expect(seen).toEqual(["manual"]);
  });
});

describe("reading a repository", () => {
  it("reads the repository, the branch head, the recursive tree and blobs", async () => {
    const api = await repoApi("acme/web");
    expect(await api.getRepository()).toEqual({ fullName: "acme/web", defaultBranch: "main", private: true });
    const head = await api.getBranchHead("main");
    expect(head.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(head.treeSha).toBe(stub.state.commit("acme/web", head.commitSha)?.tree);
    const tree = await api.getTree(head.treeSha);
    expect(tree.truncated).toBe(false);
    const files = stub.state.files("acme/web", "main");
    const blobs = tree.entries.filter((entry) => entry.type === "blob");
    expect(blobs.map((entry) => entry.path).sort()).toEqual(Object.keys(files).sort());
    expect(tree.entries).toContainEqual(expect.objectContaining({ path: "src/app", type: "tree" }));
    const layout = blobs.find((entry) => entry.path === "src/app/layout.tsx");
    expect(layout?.size).toBe(Buffer.byteLength(files["src/app/layout.tsx"] ?? ""));
    expect(await api.getBlobText(layout?.sha ?? "")).toBe(files["src/app/layout.tsx"]);
  });

  it("binary and non-UTF-8 blobs read as null; a BOM is dropped", async () => {
    const api = await repoApi("acme/assets");
    const head = await api.getBranchHead("trunk");
    const tree = await api.getTree(head.treeSha);
    const sha = (path: string) => tree.entries.find((entry) => entry.path === path)?.sha ?? "";
    expect(await api.getBlobText(sha("logo.png"))).toBeNull();
    expect(await api.getBlobText(sha("latin1.txt"))).toBeNull();
    expect(await api.getBlobText(sha("bom.txt"))).toBe("hello");
    expect(await api.getBlobText(sha("README.md"))).toBe("# assets\n");
  });

  it("a default branch outside ASCII is read like any other", async () => {
    const api = await repoApi("acme/intl");
    const { defaultBranch } = await api.getRepository();
    expect(defaultBranch).toBe("développement");
    const head = await api.getBranchHead(defaultBranch);
    expect(head.commitSha).toBe(stub.state.branches("acme/intl").développement);
  });

  it("sends GitHub's headers on every call", async () => {
    const api = await repoApi("acme/other");
    await api.getRepository();
    const calls = stub.state.requests().filter((r) => r.path.startsWith("/repos/acme/other"));
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call).toMatchObject({
        userAgent: "pushbunny-edge",
        apiVersion: "2022-11-28",
        accept: "application/vnd.github+json",
      });
    }
  });

  it("refuses a malformed repository name, branch or sha before calling GitHub", async () => {
    for (const fullName of ["acme/../x/y", "acme/..", "acme", "-acme/web", "acme/web?x=1"]) {
      expect(() => createRepoApi({ apiUrl: stub.url, token: "t", fullName }), fullName).toThrow(GitHubError);
    }
    const api = await repoApi("acme/other");
    const calls = stub.state.requests().length;
    for (const branch of [
      "",
      "../main",
      "a..b",
      "refs/heads/x",
      "x.lock",
      "a b",
      "a~1",
      "a:b",
      "a@{1}",
      "a\u0001",
    ]) {
      expect((await failure(api.getBranchHead(branch))).code, branch).toBe("invalid");
    }
    expect((await failure(api.getTree("HEAD"))).code).toBe("invalid");
    expect(stub.state.requests().length).toBe(calls);
  });
});

describe("writing a branch and a draft pull request", () => {
  it("blobs → tree → commit → ref → draft PR; the branch has the change on top of the base", async () => {
    const api = await repoApi("acme/web");
    const head = await api.getBranchHead("main");
    const content = "export const variant = 'b';\n";
    const blob = await api.createBlob(content);
    expect(blob.sha).toMatch(/^[0-9a-f]{40}$/);
    const tree = await api.createTree(head.treeSha, [
      { path: "src/components/hero-b.tsx", sha: blob.sha, mode: "100644" },
    ]);
    const commit = await api.createCommit({
      message: "feat: hero variant b",
      treeSha: tree.sha,
      parentShas: [head.commitSha],
    });
    await api.createBranch("pushbunny/exp-hero", commit.sha);
    const pull = await api.createPullRequest({
      title: "Experiment: hero",
      body: "Two variants",
      head: "pushbunny/exp-hero",
      base: "main",
      draft: true,
    });
    expect(pull).toEqual({
      number: 1,
      htmlUrl: `${stub.url}/acme/web/pull/1`,
      draft: true,
      state: "open",
      merged: false,
      headRef: "pushbunny/exp-hero",
      baseRef: "main",
    });
    expect(stub.state.branches("acme/web")).toEqual({
      main: head.commitSha,
      "pushbunny/exp-hero": commit.sha,
    });
    expect(stub.state.commit("acme/web", commit.sha)).toEqual({
      tree: tree.sha,
      parents: [head.commitSha],
      message: "feat: hero variant b",
    });
    const before = stub.state.files("acme/web", "main");
    expect(stub.state.files("acme/web", "pushbunny/exp-hero")).toEqual({
      ...before,
      "src/components/hero-b.tsx": content,
    });
    expect(stub.state.pulls("acme/web")).toMatchObject([
      { number: 1, draft: true, title: "Experiment: hero" },
    ]);
    // The new branch reads back through the client as well.
    expect((await api.getBranchHead("pushbunny/exp-hero")).commitSha).toBe(commit.sha);

    // Creating the branch again is a conflict; deleting it twice is fine.
    const again = await failure(api.createBranch("pushbunny/exp-hero", commit.sha));
    expect(again).toMatchObject({ code: "conflict", status: 422 });
    expect(again.message).toContain("create the branch pushbunny/exp-hero");
    await api.deleteBranch("pushbunny/exp-hero");
    expect(Object.keys(stub.state.branches("acme/web"))).toEqual(["main"]);
    await api.deleteBranch("pushbunny/exp-hero");
  });

  it("a second PR for the same head is a conflict, a PR from a missing branch invalid, with GitHub's reason", async () => {
    const api = await repoApi("acme/other");
    const head = await api.getBranchHead("main");
    const blob = await api.createBlob("x");
    const tree = await api.createTree(head.treeSha, [{ path: "x.js", sha: blob.sha, mode: "100644" }]);
    const commit = await api.createCommit({ message: "x", treeSha: tree.sha, parentShas: [head.commitSha] });
    await api.createBranch("pushbunny/exp-x", commit.sha);
    const input = { title: "x", body: "", head: "pushbunny/exp-x", base: "main", draft: true };
    await api.createPullRequest(input);
    const duplicate = await failure(api.createPullRequest(input));
    expect(duplicate.code).toBe("conflict");
    expect(duplicate.message).toContain("A pull request already exists for acme:pushbunny/exp-x.");
    const missing = await failure(api.createPullRequest({ ...input, head: "pushbunny/none" }));
    expect(missing.code).toBe("invalid");
    expect(missing.message).toContain("head: invalid");
  });
});

describe("errors: one mapping, readable messages", () => {
  const cases = [
    { failure: { status: 401 as const }, code: "unauthorized", says: "mint a new token", retryAfter: null },
    { failure: { status: 403 as const }, code: "forbidden", says: "contents read/write", retryAfter: null },
    { failure: { status: 404 as const }, code: "not_found", says: "cannot see acme/other", retryAfter: null },
    { failure: { empty: true }, code: "empty_repository", says: "push a first commit", retryAfter: null },
    { failure: { status: 409 as const }, code: "conflict", says: "conflict", retryAfter: null },
    { failure: { rateLimit: "primary" as const }, code: "rate_limited", says: "rate limit", retryAfter: 60 },
    {
      failure: { rateLimit: true as const },
      code: "rate_limited",
      says: "GitHub's rate limit",
      retryAfter: 60,
    },
    {
      failure: { rateLimit: "secondary" as const },
      code: "rate_limited",
      says: "secondary rate limit",
      retryAfter: 30,
    },
    { failure: { status: 429 as const }, code: "rate_limited", says: "try again in 10 s", retryAfter: 10 },
    { failure: { status: 422 as const }, code: "invalid", says: "Validation Failed", retryAfter: null },
    { failure: { status: 500 as const }, code: "server", says: "worth retrying", retryAfter: null },
    { failure: { status: 503 as const }, code: "server", says: "(503)", retryAfter: null },
  ];

  it.each(cases)("$failure → $code", async ({ failure: play, code, says, retryAfter }) => {
    const api = await repoApi("acme/other");
    stub.setFailure({ ...play, match: "/git/ref/heads/main", times: 1 }, { repo: "acme/other" });
    const error = await failure(api.getBranchHead("main"));
    expect(error.code).toBe(code);
    expect(error.message).toContain(says);
    expect(error.message).toContain("acme/other");
    if (retryAfter === null) expect(error.retryAfterSeconds).toBeNull();
    else expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(retryAfter - 1);
    expect(error.retryable).toBe(["rate_limited", "server"].includes(code));
    // `times: 1` spent: the next call succeeds.
    expect((await api.getBranchHead("main")).commitSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("a repository without commits is empty_repository, from GitHub's own 409", async () => {
    const api = await repoApi("acme/blank");
    expect((await api.getRepository()).fullName).toBe("acme/blank");
    const error = await failure(api.getBranchHead("main"));
    expect(error).toMatchObject({ code: "empty_repository", status: 409, retryable: false });
    expect(error.message).toContain("acme/blank is empty");
  });

  it("an expired token is unauthorized", async () => {
    const api = await repoApi("acme/other");
    stub.expireTokens();
    const error = await failure(api.getRepository());
    expect(error).toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("fetch throwing or timing out is network, retryable", async () => {
    const refused = createRepoApi({
      apiUrl: "http://127.0.0.1:9",
      token: "t",
      fullName: "acme/other",
      fetch: async () => {
        throw new TypeError("fetch failed");
      },
    });
    const thrown = await failure(refused.getRepository());
    expect(thrown).toMatchObject({ code: "network", retryable: true });
    expect(thrown.message).toContain("fetch failed");

    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const slow = createRepoApi({
      apiUrl: stub.url,
      token: "t",
      fullName: "acme/other",
      fetch: hanging,
      timeoutMs: 50,
    });
    const timedOut = await failure(slow.getRepository());
    expect(timedOut).toMatchObject({ code: "network" });
    expect(timedOut.message).toContain("timed out");
  });

  it("an answer that is not GitHub's (a proxy page) is a server error naming GITHUB_API_URL", async () => {
    const api = createRepoApi({
      apiUrl: stub.url,
      token: "t",
      fullName: "acme/other",
      fetch: async () => new Response("<html>hi</html>", { status: 200 }),
    });
    const error = await failure(api.getRepository());
    expect(error.code).toBe("server");
    expect(error.message).toContain("GITHUB_API_URL");
  });
});

describe("webhooks", () => {
  const secret = "whsec-test";
  const body = JSON.stringify({ action: "closed", n: 1 });

  it("verifies X-Hub-Signature-256 over the raw body", async () => {
    const header = signGitHubWebhookBody(secret, body);
    expect(await signGitHubWebhook(secret, body)).toBe(header);
    expect(await verifyGitHubSignature(secret, body, header)).toBe(true);
    expect(await verifyGitHubSignature(secret, new TextEncoder().encode(body), header)).toBe(true);
    expect(
      await verifyGitHubSignature(secret, body, header.toUpperCase().replace("SHA256=", "sha256=")),
    ).toBe(true);
  });

  it.each([
    ["missing", null],
    ["empty", ""],
    ["another secret", signGitHubWebhookBody("other", body)],
    ["another body", signGitHubWebhookBody(secret, `${body} `)],
    ["sha1", `sha1=${"a".repeat(40)}`],
    ["too short", `sha256=${"a".repeat(62)}`],
    ["too long", `sha256=${"a".repeat(66)}`],
    ["not hex", `sha256=${"g".repeat(64)}`],
    ["no prefix", "a".repeat(64)],
  ])("refuses a signature that is %s", async (_, header) => {
    expect(await verifyGitHubSignature(secret, body, header)).toBe(false);
  });

  it("refuses everything when the secret is empty", async () => {
    expect(await verifyGitHubSignature("", body, signGitHubWebhookBody("", body))).toBe(false);
  });

  it("parses a pull_request event, as the stub delivers it after a merge", async () => {
    const api = await repoApi("acme/vite");
    const head = await api.getBranchHead("main");
    const blob = await api.createBlob("y");
    const tree = await api.createTree(head.treeSha, [{ path: "src/y.tsx", sha: blob.sha, mode: "100644" }]);
    const commit = await api.createCommit({ message: "y", treeSha: tree.sha, parentShas: [head.commitSha] });
    await api.createBranch("pushbunny/exp-y", commit.sha);
    const pull = await api.createPullRequest({
      title: "y",
      body: "",
      head: "pushbunny/exp-y",
      base: "main",
      draft: true,
    });
    const payload = stub.state.mergePull("acme/vite", pull.number);
    const delivery = stub.webhookRequest(payload);
    expect(
      await verifyGitHubSignature(stub.webhookSecret, delivery.body, delivery.headers["x-hub-signature-256"]),
    ).toBe(true);
    expect(parsePullRequestEvent(JSON.parse(delivery.body))).toEqual({
      action: "closed",
      installationId: acme,
      repository: "acme/vite",
      number: pull.number,
      merged: true,
      headRef: "pushbunny/exp-y",
      baseRef: "main",
    });
    expect(stub.state.branches("acme/vite").main).toBe(commit.sha);
  });

  const valid = pullRequestEventPayload({
    action: "opened",
    installationId: 7,
    repository: "o/r",
    number: 3,
    headRef: "h",
    baseRef: "b",
  });
  /** The valid payload with one field changed, or removed when `value` is undefined. */
  const variant = (path: string[], value?: unknown) => {
    const copy = structuredClone(valid);
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = path.at(-1) ?? "";
    if (value === undefined) delete node[last];
    else node[last] = value;
    return copy;
  };
  it.each([
    ["null", null],
    ["an array", []],
    ["a push event", { ref: "refs/heads/main", installation: { id: 1 }, repository: { full_name: "o/r" } }],
    ["no action", variant(["action"])],
    ["no installation", variant(["installation"])],
    ["a string installation id", variant(["installation", "id"], "7")],
    ["a repository without owner", variant(["repository", "full_name"], "r")],
    ["no head ref", variant(["pull_request", "head", "ref"])],
    ["a negative number", variant(["number"], -1)],
    [
      "no number anywhere",
      { ...variant(["pull_request"], { head: { ref: "h" }, base: { ref: "b" } }), number: undefined },
    ],
  ])("an unknown shape (%s) is null", (_, json) => {
    expect(parsePullRequestEvent(json)).toBeNull();
  });

  it("an opened event is not merged", () => {
    expect(parsePullRequestEvent(valid)).toMatchObject({ action: "opened", merged: false, number: 3 });
  });
});

describe("the detectors over a repository served by the stub", () => {
  it.each(["web:next-app", "vite:react-vite", "vue:vue-vite"])(
    "%s: the same detection as the fixture in memory",
    async (pair) => {
      const [repo = "", name = ""] = pair.split(":");
      const api = await repoApi(`acme/${repo}`);
      const snapshot = await repoSnapshot(api, (await api.getBranchHead("main")).treeSha);
      const remote = await detectFramework(snapshot);
      const local = await detectFramework(fixture(name));
      expect(remote.framework).not.toBe("unknown");
      expect(remote).toEqual(local);
    },
  );

  it("next-app: the page targets are found through blob reads", async () => {
    const api = await repoApi("acme/web");
    const snapshot = await repoSnapshot(api, (await api.getBranchHead("main")).treeSha);
    const detection = await detectFramework(snapshot);
    const found = await findTargetFiles(snapshot, detection, { kind: "page", route: "/pricing" });
    expect(found[0]?.path).toBe("src/app/(marketing)/pricing/page.tsx");
    expect(await snapshot.read("src/app")).toBeNull();
    expect(await snapshot.read("no/such/file")).toBeNull();
  });

  it("a truncated listing is passed on and the detection warns", async () => {
    const api = await repoApi("acme/mono");
    const snapshot = await repoSnapshot(api, (await api.getBranchHead("main")).treeSha);
    expect(snapshot.truncated).toBe(true);
    expect(snapshot.tree).toHaveLength(5);
    expect((await detectFramework(snapshot)).warnings).toContain(
      "The repository listing was truncated; some files were not seen.",
    );
  });
});

describe("the stub's /__stub/ control routes (what workerd tests drive)", () => {
  const post = async (path: string, body: unknown, method = "POST") => {
    const res = await fetch(`${stub.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json() };
  };

  it("seeds an installation from a fixture folder, plays failures, shows branches, files and PRs", async () => {
    const seeded = await post("/__stub/installations", {
      account: { login: "ctl" },
      repositories: { web: { folder: "packages/agent/test/fixtures/next-app" } },
    });
    expect(seeded).toMatchObject({ status: 201, body: { repositories: ["ctl/web"] } });
    const id = (seeded.body as { id: number }).id;
    expect(
      (await post("/__stub/installations", { account: { login: "ctl" }, repositories: { web: {} } })).status,
    ).toBe(422);

    const { token } = await mintInstallationToken(app, id, { repositories: ["web"] });
    const api = createRepoApi({ apiUrl: stub.url, token, fullName: "ctl/web" });
    expect((await post("/__stub/failures", { repo: "ctl/web", status: 403 })).status).toBe(204);
    expect((await failure(api.getRepository())).code).toBe("forbidden");
    expect((await post("/__stub/failures", { repo: "ctl/web" }, "DELETE")).status).toBe(204);
    const head = await api.getBranchHead("main");

    const blob = await api.createBlob("z");
    const tree = await api.createTree(head.treeSha, [{ path: "src/z.tsx", sha: blob.sha, mode: "100644" }]);
    const commit = await api.createCommit({ message: "z", treeSha: tree.sha, parentShas: [head.commitSha] });
    await api.createBranch("pushbunny/exp-z", commit.sha);
    await api.createPullRequest({ title: "z", body: "", head: "pushbunny/exp-z", base: "main", draft: true });

    for (const name of ["ctl/web", encodeURIComponent("ctl/web")]) {
      const res = await fetch(`${stub.url}/__stub/repos/${name}`);
      expect(await res.json()).toMatchObject({
        default_branch: "main",
        branches: { main: head.commitSha, "pushbunny/exp-z": commit.sha },
        pulls: [
          { number: 1, draft: true, head: "pushbunny/exp-z", base: "main", state: "open", merged: false },
        ],
      });
    }
    const files = await fetch(
      `${stub.url}/__stub/repos/${encodeURIComponent("ctl/web")}/files/${encodeURIComponent("pushbunny/exp-z")}`,
    );
    expect(await files.json()).toMatchObject({ "src/z.tsx": "z", "src/app/layout.tsx": expect.any(String) });

    const merged = await post(`/__stub/repos/${encodeURIComponent("ctl/web")}/pulls/1/merge`, {});
    const delivery = merged.body as { body: string; headers: Record<string, string> };
    expect(
      await verifyGitHubSignature(
        stub.webhookSecret,
        delivery.body,
        delivery.headers["x-hub-signature-256"] ?? null,
      ),
    ).toBe(true);
    expect(delivery.headers["x-github-event"]).toBe("pull_request");
    expect(parsePullRequestEvent(JSON.parse(delivery.body))).toMatchObject({
      installationId: id,
      repository: "ctl/web",
      merged: true,
    });

    const code = (await post("/__stub/oauth-codes", { installation_ids: [id] })).body as { code: string };
    expect(await userInstallationIds(app, await exchangeOAuthCode(app, code.code))).toEqual([id]);
    expect((await fetch(`${stub.url}/__stub/repos/ctl/none`)).status).toBe(404);
  });

  it("the install page sends the browser to the setup URL with the installation, a code and the state", async () => {
    const seeded = stub.addInstallation({
      account: { login: "installer" },
      repositories: { app: { files: {} } },
    });
    const res = await fetch(`${stub.url}/apps/${stub.slug}/installations/new?state=s%201`, {
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location") ?? "");
    expect(`${back.origin}${back.pathname}`).toBe("http://localhost:8787/github/setup");
    expect(back.searchParams.get("installation_id")).toBe(String(seeded.id));
    expect(back.searchParams.get("setup_action")).toBe("install");
    expect(back.searchParams.get("state")).toBe("s 1");
    const token = await exchangeOAuthCode(app, back.searchParams.get("code") ?? "");
    expect(await userInstallationIds(app, token)).toEqual([seeded.id]);
    const chosen = await fetch(
      `${stub.url}/apps/${stub.slug}/installations/new?state=x&installation_id=${acme}`,
      { redirect: "manual" },
    );
    expect(new URL(chosen.headers.get("location") ?? "").searchParams.get("installation_id")).toBe(
      String(acme),
    );
  });

  it("?deliver= posts the signed merge webhook to a receiver and reports its answer", async () => {
    const received: { signature: string | null; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        received.push({ signature: (req.headers["x-hub-signature-256"] as string) ?? null, body });
        res.writeHead(202).end("thanks");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhook`;
    try {
      const api = await repoApi("acme/other");
      const head = await api.getBranchHead("main");
      const blob = await api.createBlob("d");
      const tree = await api.createTree(head.treeSha, [{ path: "d.js", sha: blob.sha, mode: "100644" }]);
      const commit = await api.createCommit({
        message: "d",
        treeSha: tree.sha,
        parentShas: [head.commitSha],
      });
      await api.createBranch("pushbunny/exp-d", commit.sha);
      const pull = await api.createPullRequest({
        title: "d",
        body: "",
        head: "pushbunny/exp-d",
        base: "main",
        draft: true,
      });
      const res = await fetch(
        `${stub.url}/__stub/repos/acme/other/pulls/${pull.number}/close?deliver=${encodeURIComponent(target)}`,
        { method: "POST" },
      );
      expect(await res.json()).toMatchObject({ delivered: { status: 202, body: "thanks" } });
      expect(received).toHaveLength(1);
      const [delivery] = received;
      expect(
        await verifyGitHubSignature(stub.webhookSecret, delivery?.body ?? "", delivery?.signature ?? null),
      ).toBe(true);
      expect(parsePullRequestEvent(JSON.parse(delivery?.body ?? "{}"))).toMatchObject({
        action: "closed",
        merged: false,
        number: pull.number,
      });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
