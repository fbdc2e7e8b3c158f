import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  createRepoApi,
  detectFramework,
  exchangeOAuthCode,
  findTargetFiles,
  mintInstallationToken,
  parsePullRequestEvent,
  repoSnapshot,
  userInstallationIds,
  verifyGitHubSignature,
} from "../src";
import { fixture } from "./fixtures";
import { acme, app, failure, repoApi, stub, useGitHubStub } from "./github-setup";

useGitHubStub();

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
