import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runImplementation } from "../src/run";
import { fixtureFiles } from "./fixtures";
import { FakeRepo, ScriptedModel } from "./run-fakes";
import { EXPERIMENT, happyScript, NEXT_APP } from "./run-scripts";

// The proof: the branch the agent opens for the next-app fixture type-checks with the
// fixture's own tsconfig.json and the repository's TypeScript. node_modules is symlinked:
// @types/react (this package's devDependency), @types/node (the root's) and packages/sdk as
// @pushbunny/sdk. `next` itself is not installed; next-env.d.ts below is a declaration SHIM for
// the three next modules the fixture imports (next, next/link, next/navigation), nothing more.
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const TSC = join(REPO, "node_modules/typescript/bin/tsc");
const NEXT_SHIM = `// Test shim for the next/* modules the fixture imports; not Next.js's own types.
declare module "next" {
  export type Metadata = { title?: string; description?: string };
  export type NextConfig = Record<string, unknown>;
}
declare module "next/link" {
  import type { AnchorHTMLAttributes, ReactNode } from "react";
  export default function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ReactNode }): ReactNode;
}
declare module "next/navigation" {
  export function usePathname(): string;
}
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function generatedBranch(): Promise<Record<string, string>> {
  const repo = new FakeRepo(fixtureFiles("next-app"));
  const outcome = await runImplementation({
    repo,
    model: new ScriptedModel(happyScript(NEXT_APP)),
    experiment: EXPERIMENT,
    branch: "pushbunny/pricing-cta-1",
    sdk: { baseUrl: "https://api.pushbunny.test" },
    now: () => 0,
    log: async () => {},
    onDiff: async () => {},
  });
  expect(outcome.ok ? "" : outcome.error).toBe("");
  return repo.filesOf("pushbunny/pricing-cta-1");
}

/** Writes the files into a fresh folder with the symlinked node_modules; returns tsc's output and status. */
function typecheck(files: Record<string, string>): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "pb-agent-tsc-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  writeFileSync(join(dir, "next-env.d.ts"), NEXT_SHIM);
  mkdirSync(join(dir, "node_modules/@types"), { recursive: true });
  mkdirSync(join(dir, "node_modules/@pushbunny"), { recursive: true });
  symlinkSync(join(REPO, "packages/agent/node_modules/@types/react"), join(dir, "node_modules/@types/react"));
  symlinkSync(join(REPO, "node_modules/@types/node"), join(dir, "node_modules/@types/node"));
  symlinkSync(join(REPO, "packages/sdk"), join(dir, "node_modules/@pushbunny/sdk"));
  try {
    // incremental: false keeps the fixture's tsconfig but writes no .tsbuildinfo.
    const output = execFileSync(process.execPath, [TSC, "-p", dir, "--noEmit", "--incremental", "false"], {
      encoding: "utf8",
      stdio: "pipe",
    });
    return { status: 0, output };
  } catch (err) {
    const failed = err as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe("the generated next-app branch type-checks with the fixture's tsconfig.json", () => {
  it("passes tsc as generated", async () => {
    const files = await generatedBranch();
    const result = typecheck(files);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  }, 120_000);

  it("fails tsc when the generated switch has a type error", async () => {
    const files = await generatedBranch();
    const path = "src/components/experiments/pricing-cta-experiment.tsx";
    const original = files[path] ?? "";
    // A segment key the switch's own SegmentKey type does not have.
    files[path] = original.replace('useState<SegmentKey>("control")', 'useState<SegmentKey>("controll")');
    expect(files[path]).not.toBe(original);
    const result = typecheck(files);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(path);
    expect(result.output).toMatch(/TS2345|TS2322/);
  }, 120_000);
});
