import ts from "typescript";
import { describe, expect, it } from "vitest";
import { GitHubError } from "../src/github/types";
import { type ExperimentSpec, type RunInput, runImplementation } from "../src/run";
import { fixtureFiles } from "./fixtures";
import { calls, FakeRepo, promptDrivenModel, ScriptedModel } from "./run-fakes";
import { EXPERIMENT, happyScript, NEXT_APP } from "./run-scripts";

const BRANCH = "pushbunny/pricing-cta-x1";

function input(repo: FakeRepo, model: RunInput["model"], experiment: ExperimentSpec = EXPERIMENT): RunInput {
  return {
    repo,
    model,
    experiment,
    branch: BRANCH,
    sdk: { baseUrl: "https://api.pushbunny.test" },
    now: () => 0,
    log: async () => {},
    onDiff: async () => {},
  };
}

/** Syntax errors of a script as TypeScript's parser reports them (JSX allowed). */
function syntaxErrors(path: string, code: string): string[] {
  const fileName = path.replace(/\.(js|vue)$/, ".jsx");
  const out = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      jsx: ts.JsxEmit.Preserve,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
    },
  });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

const scriptOf = (vue: string) => /<script\b[^>]*>([\s\S]*?)<\/script>/.exec(vue)?.[1] ?? "";

describe("generated code in each app's language and style", () => {
  it("react-cra, a component target: JavaScript with tabs, .js files, CRA's env var", async () => {
    const repo = new FakeRepo(fixtureFiles("react-cra"));
    const experiment: ExperimentSpec = {
      ...EXPERIMENT,
      targetType: "component",
      target: "PriceTag",
      previewUrl: null,
    };
    const outcome = await runImplementation(input(repo, promptDrivenModel(), experiment));
    expect(outcome.ok ? "" : outcome.error).toBe("");
    const branch = repo.filesOf(BRANCH);
    const sw = branch["src/components/experiments/PricingCtaExperiment.js"] ?? "";
    const sdk = branch["src/lib/pushbunny.js"] ?? "";
    expect(sw).toContain("\tconst [assigned, setAssigned] = useState(");
    expect(sw).not.toMatch(/SegmentKey|: string/);
    expect(sdk).toContain("process.env.REACT_APP_PUSHBUNNY_KEY");
    expect(syntaxErrors("sw.js", sw)).toEqual([]);
    expect(syntaxErrors("sdk.js", sdk)).toEqual([]);
    expect(repo.pulls[0]?.body).toContain("Add `#seg-<segment>` to the page's address");
    expect(repo.pulls[0]?.body).toContain("REACT_APP_PUSHBUNNY_KEY");
  });

  it("vue-vite: the switch's script parses; react-vite: the TSX switch parses", async () => {
    for (const [name, path] of [
      ["vue-vite", "src/components/experiments/PricingCtaExperiment.vue"],
      ["react-vite", "src/components/experiments/PricingCtaExperiment.tsx"],
    ] as const) {
      const repo = new FakeRepo(fixtureFiles(name));
      const outcome = await runImplementation(input(repo, promptDrivenModel()));
      expect(outcome.ok ? "" : outcome.error).toBe("");
      const code = repo.filesOf(BRANCH)[path] ?? "";
      expect(syntaxErrors(path, path.endsWith(".vue") ? scriptOf(code) : code)).toEqual([]);
    }
  });

  it("a broken template would be caught by the same check", () => {
    expect(syntaxErrors("x.tsx", "export function X() { return <div> }")).not.toEqual([]);
  });
});

describe("the SDK module and existing files", () => {
  it("reuses an earlier run's SDK module and never overwrites somebody else's", async () => {
    const ours = 'import { createClient } from "@pushbunny/sdk/browser";\nexport function pushbunny() {}\n';
    const repo = new FakeRepo({ ...fixtureFiles("next-app"), "src/lib/pushbunny.ts": ours });
    const outcome = await runImplementation(input(repo, new ScriptedModel(happyScript(NEXT_APP))));
    expect(outcome.ok && outcome.files.map((f) => f.path)).not.toContain("src/lib/pushbunny.ts");
    expect(repo.filesOf(BRANCH)["src/lib/pushbunny.ts"]).toBe(ours);

    const foreign = new FakeRepo({
      ...fixtureFiles("next-app"),
      "src/lib/pushbunny.ts": "export const other = 1;\n",
    });
    const second = await runImplementation(input(foreign, promptDrivenModel(NEXT_APP.target)));
    expect(second.ok ? "" : second.error).toBe("");
    const branch = foreign.filesOf(BRANCH);
    expect(branch["src/lib/pushbunny.ts"]).toBe("export const other = 1;\n");
    expect(branch["src/components/experiments/pushbunny.ts"]).toContain("@pushbunny/sdk/browser");
    expect(branch["src/components/experiments/pricing-cta-experiment.tsx"]).toContain(
      'from "@/components/experiments/pushbunny"',
    );
  });

  it("refuses to overwrite an existing switch of the same experiment key", async () => {
    const repo = new FakeRepo({
      ...fixtureFiles("next-app"),
      "src/components/experiments/pricing-cta-experiment.tsx": "export {};\n",
    });
    const outcome = await runImplementation(input(repo, new ScriptedModel(happyScript(NEXT_APP))));
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.ok ? "" : outcome.error).toMatch(/pricing-cta-experiment\.tsx already exists/);
  });

  it("refuses an experiment it cannot generate code for, before any GitHub call", async () => {
    const repo = new FakeRepo(fixtureFiles("next-app"));
    const outcome = await runImplementation(
      input(repo, new ScriptedModel([]), {
        ...EXPERIMENT,
        key: "Pricing CTA!",
        segments: [EXPERIMENT.segments[0] as never],
      }),
    );
    expect(outcome.ok ? "" : outcome.error).toMatch(
      /experiment key "Pricing CTA!".*control and at least one segment/,
    );
    expect(repo.calls).toEqual([]);
  });

  it("an existing branch of the same name fails without a pull request", async () => {
    const repo = new FakeRepo(fixtureFiles("next-app"));
    repo.branches.set(BRANCH, repo.branches.get("main") ?? "");
    const outcome = await runImplementation(input(repo, new ScriptedModel(happyScript(NEXT_APP))));
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.ok ? "" : outcome.error).toMatch(/branch exists already/);
    expect(repo.pulls).toEqual([]);
  });

  it("a GitHubError from the token-narrowed client keeps its rate-limit hint", async () => {
    const repo = new FakeRepo(fixtureFiles("next-app"));
    repo.failures.set("createBlob", new GitHubError("rate_limited", "secondary rate limit", 403, 120));
    const outcome = await runImplementation(input(repo, new ScriptedModel(happyScript(NEXT_APP))));
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(outcome.ok ? "" : outcome.error).toMatch(/retry in 120 s/);
    expect([...repo.branches.keys()]).toEqual(["main"]);
  });
});

describe("the write tools", () => {
  it("read_file reads tree files once per budget, returns the model's own writes, refuses unknown paths", async () => {
    const steps = happyScript(NEXT_APP);
    steps.splice(
      1,
      0,
      calls(
        ["read_file", { path: "src/app/blog/[slug]/page.tsx" }],
        ["read_file", { path: "src/app/blog/[slug]/page.tsx" }],
        ["read_file", { path: "src/nope.tsx" }],
        [
          "write_file",
          {
            path: "src/components/experiments/pricing-cta.module.css",
            content: ".cta {\n  color: red;\n}\n",
          },
        ],
        ["read_file", { path: "src/components/experiments/pricing-cta.module.css" }],
        ["compare_changes", {}],
      ),
    );
    const repo = new FakeRepo(fixtureFiles("next-app"));
    const model = new ScriptedModel(steps);
    const outcome = await runImplementation(input(repo, model));
    expect(outcome.ok ? "" : outcome.error).toBe("");
    const turn = model.requests[2]?.turns.at(-1);
    const results = turn?.role === "tool" ? turn.results.map((r) => r.response) : [];
    expect(results[0]?.content).toContain("BlogPost");
    expect(results[1]?.content).toBe(results[0]?.content);
    expect(results[2]?.error).toMatch(/not a file of the repository/);
    expect(results[4]?.content).toBe(".cta {\n  color: red;\n}\n");
    expect(results[5]?.diff).toContain("+++ b/src/components/experiments/pricing-cta-experiment.tsx");
    expect(results[5]?.diff).toContain("+++ b/src/components/experiments/pricing-cta.module.css");
    const reads = outcome.usage.filesRead;
    const again = await runImplementation(
      input(new FakeRepo(fixtureFiles("next-app")), new ScriptedModel(happyScript(NEXT_APP))),
    );
    expect(reads - again.usage.filesRead).toBe(1);
  });

  it("a turn without a tool call costs one call and gets a nudge", async () => {
    const steps = happyScript(NEXT_APP);
    steps.splice(1, 0, { calls: [], text: "Let me think.", tokens: 10 });
    const model = new ScriptedModel(steps);
    const outcome = await runImplementation(input(new FakeRepo(fixtureFiles("next-app")), model));
    expect(outcome.ok ? "" : outcome.error).toBe("");
    expect(outcome.usage.toolCalls).toBe(7);
    expect(model.requests[2]?.turns.at(-1)).toMatchObject({
      role: "user",
      text: expect.stringMatching(/Continue with the tools/),
    });
  });
});

describe("with the GitHub client's snapshot, as the Worker passes it", () => {
  it("reads through repoSnapshot and opens the same pull request", async () => {
    const { repoSnapshot } = await import("../src/github/repo");
    const repo = new FakeRepo(fixtureFiles("next-app"));
    const run = input(repo, new ScriptedModel(happyScript(NEXT_APP)));
    const outcome = await runImplementation({ ...run, snapshot: (treeSha) => repoSnapshot(repo, treeSha) });
    expect(outcome.ok ? outcome.pullNumber : outcome.error).toBe(1);
    expect(repo.calls.filter((call) => call === "getTree")).toHaveLength(1);
  });
});
