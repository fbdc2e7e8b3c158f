import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createAppJwt,
  createRepoApi,
  GitHubError,
  getInstallation,
  installUrl,
  listInstallationRepositories,
  mintInstallationToken,
  pkcs1ToPkcs8,
} from "../src";
import { acme, app, failure, sleepy, solo, stub, useGitHubStub } from "./github-setup";

useGitHubStub();

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
