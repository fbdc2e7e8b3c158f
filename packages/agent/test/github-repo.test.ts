import { describe, expect, it } from "vitest";
import { createRepoApi, findOpenPullRequest, GitHubError, mintInstallationToken } from "../src";
import { acme, app, failure, repoApi, stub, useGitHubStub } from "./github-setup";

useGitHubStub();

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
