import { describe, expect, it } from "vitest";
import { checkWritePath, detectFramework } from "../src";
import { GitHubError } from "../src/github/types";
import { type RunInput, type RunOutcome, runImplementation } from "../src/run";
import { fixture, fixtureFiles } from "./fixtures";
import { calls, FakeRepo, ScriptedModel, type Step } from "./run-fakes";
import { EXPERIMENT, type FixtureScript, happyScript, NEXT_APP, REACT_VITE, VUE_VITE } from "./run-scripts";

const BRANCH = "pushbunny/pricing-cta-abc123";

function setup(name: string, steps: Step[], extra: Partial<RunInput> & { after?: Step } = {}) {
  const repo = new FakeRepo(name === "" ? {} : fixtureFiles(name));
  const model = new ScriptedModel(steps, extra.after);
  const logs: string[] = [];
  const diffs: { diff: string; files: string[] }[] = [];
  let clock = 1_000_000;
  const input: RunInput = {
    repo,
    model,
    experiment: EXPERIMENT,
    branch: BRANCH,
    sdk: { baseUrl: "https://api.pushbunny.test" },
    now: () => clock,
    log: async (phase, message) => {
      clock += 10;
      logs.push(`${phase}: ${message}`);
    },
    onDiff: async (diff, files) => {
      diffs.push({ diff, files: files.map((f) => f.path) });
    },
    ...extra,
  };
  return { repo, model, logs, diffs, input, run: () => runImplementation(input) };
}

function expectOk(outcome: RunOutcome): Extract<RunOutcome, { ok: true }> {
  expect(outcome.ok ? "" : outcome.error).toBe("");
  return outcome as Extract<RunOutcome, { ok: true }>;
}

function expectNothingWritten(repo: FakeRepo, name: string) {
  expect([...repo.branches.keys()]).toEqual(["main"]);
  expect(repo.filesOf("main")).toEqual(fixtureFiles(name));
  expect(repo.pulls).toEqual([]);
}

describe.each([
  [NEXT_APP, "next-app", "src/components/experiments/pricing-cta-experiment.tsx", "src/lib/pushbunny.ts"],
  [REACT_VITE, "react-vite", "src/components/experiments/PricingCtaExperiment.tsx", "src/lib/pushbunny.ts"],
  [VUE_VITE, "vue-vite", "src/components/experiments/PricingCtaExperiment.vue", "src/lib/pushbunny.js"],
] as [FixtureScript, string, string, string][])(
  "a whole run on the $1 fixture",
  (script, framework, switchPath, sdkPath) => {
    it("opens a draft pull request from a new branch, the default branch untouched", async () => {
      const t = setup(script.fixture, happyScript(script));
      const outcome = expectOk(await t.run());
      expect(outcome.framework).toBe(framework);
      expect(outcome.branch).toBe(BRANCH);
      expect(t.repo.pulls).toHaveLength(1);
      const pull = t.repo.pulls[0];
      expect(pull).toMatchObject({
        draft: true,
        headRef: BRANCH,
        baseRef: "main",
        number: outcome.pullNumber,
      });
      expect(outcome.pullUrl).toBe(pull?.htmlUrl);
      expect(t.repo.filesOf("main")).toEqual(fixtureFiles(script.fixture));

      // The branch is the base plus exactly the written files, each allowed by the path policy.
      const base = fixtureFiles(script.fixture);
      const branch = t.repo.filesOf(BRANCH);
      const changed = Object.keys(branch)
        .filter((path) => branch[path] !== base[path])
        .sort();
      expect(changed).toEqual([...Object.keys(script.files), switchPath, sdkPath].sort());
      expect(outcome.files.map((f) => f.path).sort()).toEqual(changed);
      const detection = await detectFramework(fixture(script.fixture));
      for (const path of changed) expect(checkWritePath(path, detection).ok, path).toBe(true);
      for (const [path, content] of Object.entries(script.files)) expect(branch[path]).toBe(content);
      for (const path of Object.keys(base))
        if (!(path in script.files)) expect(branch[path]).toBe(base[path]);

      // The generated switch asks the SDK for the experiment, previews #seg-<key>, tracks metrics.
      const sw = branch[switchPath] ?? "";
      expect(sw).toContain(".experiment(EXPERIMENT)".replace(/"/g, "'"));
      expect(sw).toMatch(/const EXPERIMENT = ["']pricing-cta["']/);
      expect(sw).toContain("hashchange");
      expect(sw).toContain("#seg-");
      expect(sw).toContain(".track(metric, properties)");
      expect(branch[sdkPath]).toMatch(/from ["']@pushbunny\/sdk\/browser["']/);
      expect(branch[sdkPath]).toContain("https://api.pushbunny.test");

      // One commit whose parent is the base head.
      const head = t.repo.commits.get(t.repo.branches.get(BRANCH) ?? "");
      expect(head?.parents).toEqual([t.repo.branches.get("main")]);

      // The diff went to onDiff before the commit phase and names every changed file.
      expect(t.diffs).toHaveLength(1);
      expect(t.diffs[0]?.diff).toBe(outcome.diff);
      for (const path of changed) expect(outcome.diff).toContain(`+++ b/${path}`);
      const diffAt = t.logs.findIndex((line) => line.startsWith("diff:"));
      const commitAt = t.logs.findIndex((line) => line.startsWith("commit: commit"));
      expect(diffAt).toBeGreaterThan(-1);
      expect(commitAt).toBeGreaterThan(diffAt);

      // The pull request describes the experiment and how to run it.
      expect(pull?.body).toContain(EXPERIMENT.hypothesis);
      expect(pull?.body).toContain("https://preview.acme.test/pricing#seg-annual");
      expect(pull?.body).toContain("https://preview.acme.test/pricing#seg-control");
      expect(pull?.body).toContain("50%");
      expect(pull?.body).toContain("`checkout_started` (primary)");
      expect(pull?.body).toContain("npm install @pushbunny/sdk");
      expect(pull?.body).toMatch(
        framework === "next-app" ? /NEXT_PUBLIC_PUSHBUNNY_KEY/ : /VITE_PUSHBUNNY_KEY/,
      );
      expect(pull?.body).toContain("Merging this pull request lets PushBunny activate");
      expect(outcome.usage).toMatchObject({
        toolCalls: 1 + Object.keys(script.files).length + 2,
        modelCalls: 3,
        tokens: 3_000,
      });
    });
  },
);

describe("style of the generated code", () => {
  it("follows each app: double quotes and semicolons in next-app, single quotes and none in react-vite", async () => {
    const next = setup("next-app", happyScript(NEXT_APP));
    const nextSwitch =
      expectOk(await next.run()) &&
      next.repo.filesOf(BRANCH)["src/components/experiments/pricing-cta-experiment.tsx"];
    expect(nextSwitch).toMatch(/^"use client";\n/);
    expect(nextSwitch).toContain('import { pushbunny } from "@/lib/pushbunny";');
    expect(nextSwitch).toContain("export function PricingCtaExperiment()");
    expect(nextSwitch).toContain('export type PricingCtaMetric = "checkout_started" | "plan_clicked";');

    const vite = setup("react-vite", happyScript(REACT_VITE));
    const viteSwitch =
      expectOk(await vite.run()) &&
      vite.repo.filesOf(BRANCH)["src/components/experiments/PricingCtaExperiment.tsx"];
    expect(viteSwitch).not.toContain("use client");
    expect(viteSwitch).toContain("import { pushbunny } from '../../lib/pushbunny'\n");
    expect(viteSwitch).toContain("export default function PricingCtaExperiment()");
    expect(viteSwitch).not.toMatch(/;\n/);
    expect(vite.repo.filesOf(BRANCH)["src/lib/pushbunny.ts"]).toContain("import.meta.env.VITE_PUSHBUNNY_KEY");
  });
});

describe("the path policy inside the tool loop", () => {
  for (const bad of [".github/workflows/x.yml", ".env", "src/.env.local", "package.json"]) {
    it(`refuses ${bad}, tells the model why, and succeeds when it corrects itself`, async () => {
      const steps = happyScript(NEXT_APP);
      steps.splice(1, 0, calls(["write_file", { path: bad, content: "on: push\n" }]));
      const t = setup("next-app", steps);
      const outcome = expectOk(await t.run());
      const refusal = t.model.requests[2]?.turns.at(-1);
      expect(refusal?.role).toBe("tool");
      const response = refusal?.role === "tool" ? refusal.results[0]?.response : undefined;
      expect(response).toMatchObject({ refused: true });
      expect(String(response?.reason)).toMatch(/hidden|secret|manifest|config/i);
      expect(t.repo.filesOf(BRANCH)[bad]).toBe(fixtureFiles("next-app")[bad]);
      expect(outcome.files.some((f) => f.path === bad)).toBe(false);
      expect(t.logs.some((line) => line.includes(`write_file ${bad} refused`))).toBe(true);
    });
  }

  it("fails without a branch when the model keeps writing a workflow until the budget is spent", async () => {
    const t = setup("next-app", [calls(["choose_target", { path: NEXT_APP.target }])], {
      after: calls(["write_file", { path: ".github/workflows/x.yml", content: "on: push\n" }]),
      budgets: { toolCalls: 12 },
    });
    const outcome = await t.run();
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatch(/tool calls 13 > 12/);
    expect(outcome.retryable).toBe(false);
    expect(outcome.diff).toBeNull();
    expectNothingWritten(t.repo, "next-app");
    expect(t.repo.calls.filter((c) => c.startsWith("create"))).toEqual([]);
  });

  it("refuses to overwrite the generated switch and reports missing segments before finishing", async () => {
    const steps = happyScript(NEXT_APP);
    steps.splice(
      1,
      0,
      calls(
        [
          "write_file",
          { path: "src/components/experiments/pricing-cta-experiment.tsx", content: "export {}\n" },
        ],
        ["finish", { summary: "too early" }],
      ),
    );
    const t = setup("next-app", steps);
    expectOk(await t.run());
    const turn = t.model.requests[2]?.turns.at(-1);
    const results = turn?.role === "tool" ? turn.results : [];
    expect(results[0]?.response).toMatchObject({ refused: true, code: "generated" });
    expect(results[1]?.response).toMatchObject({ ok: false });
    expect(JSON.stringify(results[1]?.response)).toContain("pricing-cta-control.tsx");
  });
});

describe("budgets", () => {
  const cases: [string, Partial<RunInput> & { after?: Step }, RegExp][] = [
    ["tool calls", { budgets: { toolCalls: 3 } }, /tool calls 4 > 3/],
    [
      "files read",
      { budgets: { filesRead: 1 }, after: calls(["read_file", { path: "src/app/layout.tsx" }]) },
      /files read 2 > 1/,
    ],
    ["bytes written", { budgets: { bytesWritten: 600 } }, /bytes written \d+ > 600/],
    ["tokens", { budgets: { tokens: 2_500 } }, /tokens 3000 > 2500/],
    ["wall time", { budgets: { wallMs: 50 } }, /wall time \(ms\) \d+ > 50/],
  ];
  for (const [name, extra, message] of cases) {
    it(`a run over its ${name} fails and leaves no branch`, async () => {
      const steps = name === "files read" ? happyScript(NEXT_APP).slice(0, 1) : happyScript(NEXT_APP);
      const t = setup("next-app", steps, extra);
      const outcome = await t.run();
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error).toMatch(message);
      expect(outcome.error).toContain("Nothing was committed");
      expect(outcome.retryable).toBe(false);
      expectNothingWritten(t.repo, "next-app");
      expect(t.repo.calls).not.toContain("createBranch");
    });
  }
});

describe("refusals and GitHub failures", () => {
  it("refuses an app whose framework it cannot detect", async () => {
    const t = setup("empty", []);
    const outcome = await t.run();
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.ok ? "" : outcome.error).toMatch(/No supported framework was detected/);
    expect(t.model.requests).toHaveLength(0);
  });

  it("refuses the default branch and the base branch as the new branch", async () => {
    for (const [branch, baseBranch] of [
      ["main", null],
      ["release", "release"],
    ] as const) {
      const t = setup("next-app", happyScript(NEXT_APP), { branch, baseBranch });
      const outcome = await t.run();
      expect(outcome.ok ? "" : outcome.error).toMatch(/never the base or default branch/);
      expect(t.repo.calls).not.toContain("createBranch");
    }
  });

  const errors: [string, GitHubError, "getRepository" | "getBranchHead" | "createTree", boolean, RegExp][] = [
    [
      "404 repository",
      new GitHubError("not_found", "Not Found", 404),
      "getRepository",
      false,
      /not installed/,
    ],
    [
      "403 permission",
      new GitHubError("forbidden", "Resource not accessible by integration", 403),
      "createTree",
      false,
      /lacks a permission/,
    ],
    [
      "rate limit",
      new GitHubError("rate_limited", "API rate limit exceeded", 403, 60),
      "getBranchHead",
      true,
      /retry in 60 s/,
    ],
    ["5xx", new GitHubError("server", "Bad Gateway", 502), "createTree", true, /server error/],
  ];
  for (const [name, error, method, retryable, message] of errors) {
    it(`${name} → ok:false, retryable ${retryable}`, async () => {
      const t = setup("next-app", happyScript(NEXT_APP));
      t.repo.failures.set(method, error);
      const outcome = await t.run();
      expect(outcome).toMatchObject({ ok: false, retryable });
      expect(outcome.ok ? "" : outcome.error).toMatch(message);
      expect(t.repo.calls).not.toContain("createBranch");
    });
  }

  it("409 empty repository → ok:false, not retryable", async () => {
    const t = setup("", happyScript(NEXT_APP));
    const outcome = await t.run();
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.ok ? "" : outcome.error).toMatch(/no commits yet/);
  });

  it("a failed pull request deletes the branch it created", async () => {
    const t = setup("next-app", happyScript(NEXT_APP));
    t.repo.failures.set("createPullRequest", new GitHubError("server", "Server Error", 500));
    const outcome = await t.run();
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(t.repo.calls.slice(-3)).toEqual(["createBranch", "createPullRequest", "deleteBranch"]);
    expect(t.repo.branches.has(BRANCH)).toBe(false);
    expect(outcome.ok ? null : outcome.diff).toContain("+++ b/src/lib/pushbunny.ts");
  });

  it("a model failure is reported with the model's retryability", async () => {
    const llmError = Object.assign(new Error("Gemini HTTP 429"), {
      name: "LlmError",
      kind: "rate_limited",
      retryable: true,
    });
    const t = setup("next-app", [
      () => {
        throw llmError;
      },
    ]);
    const outcome = await t.run();
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(outcome.ok ? "" : outcome.error).toMatch(/model failed \(rate_limited\)/);
  });

  it("the model may only choose a candidate path", async () => {
    const t = setup("next-app", [
      calls(["choose_target", { path: "src/invented.tsx" }]),
      ...happyScript(NEXT_APP),
    ]);
    expectOk(await t.run());
    const choose = t.model.requests[0]?.tools[0];
    expect(choose?.parameters.properties?.path?.enum).toContain(NEXT_APP.target);
    expect(choose?.parameters.properties?.path?.enum).not.toContain("src/invented.tsx");
    const retry = t.model.requests[1]?.turns.at(-1);
    expect(retry?.role === "tool" ? retry.results[0]?.response.error : null).toMatch(/candidate paths/);
  });
});
