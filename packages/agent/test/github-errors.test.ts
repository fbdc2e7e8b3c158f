import { describe, expect, it } from "vitest";
import { createRepoApi } from "../src";
import { failure, repoApi, stub, useGitHubStub } from "./github-setup";

useGitHubStub();

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
