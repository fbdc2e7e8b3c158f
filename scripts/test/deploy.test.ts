// scripts/deploy.mjs against a fake wrangler (fixtures/fake-wrangler.mjs) that keeps a fake account
// in a state file and logs every call. Each test runs the script in a temp directory holding a copy
// of the real wrangler.toml (DEPLOY_ROOT), so nothing is written to the repo.

import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const SCRIPT = path.join(REPO, "scripts", "deploy.mjs");
const FAKE = path.join(HERE, "fixtures", "fake-wrangler.mjs");
const CONFIG = "wrangler.deploy.toml";

interface Call {
  argv: string[];
  cwd: string;
  stdin?: string;
  env: { CI?: string; WRANGLER_SEND_METRICS?: string };
  config?: string | null;
}

interface State {
  loggedIn: boolean;
  d1: { name: string; uuid: string }[];
  kv: { id: string; title: string }[];
  queues: string[];
  r2?: string[];
  workerExists: boolean;
  secrets: Record<string, string>;
  failDeploy?: boolean;
  hideQueuesInList?: boolean;
}

const FRESH: State = { loggedIn: true, d1: [], kv: [], queues: [], workerExists: false, secrets: {} };

let dir: string;
const statePath = () => path.join(dir, "state.json");
const logPath = () => path.join(dir, "calls.json");
const readState = (): State => JSON.parse(readFileSync(statePath(), "utf8"));
const writeState = (state: State) => writeFileSync(statePath(), JSON.stringify(state));
const readCalls = (): Call[] => (existsSync(logPath()) ? JSON.parse(readFileSync(logPath(), "utf8")) : []);
const commands = (calls: Call[]) => calls.map((c) => c.argv.join(" "));

function runDeploy(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  rmSync(logPath(), { force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      cwd: dir,
      env: {
        ...process.env,
        DEPLOY_ROOT: dir,
        WRANGLER_BIN: FAKE,
        FAKE_WRANGLER_STATE: statePath(),
        FAKE_WRANGLER_LOG: logPath(),
        CI: undefined,
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const RESOURCE_CALLS = [
  "whoami",
  "d1 list --json",
  "d1 create pushbunny",
  "d1 list --json",
  "kv namespace list",
  "kv namespace create pushbunny-edge-KV",
  "kv namespace list",
  "queues list",
  "queues create pushbunny-events",
  "queues create pushbunny-jobs",
  "queues create pushbunny-dlq",
  "r2 bucket create pushbunny-uploads",
];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "pushbunny-deploy-test-"));
  copyFileSync(path.join(REPO, "wrangler.toml"), path.join(dir, "wrangler.toml"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("scripts/deploy.mjs", () => {
  it("creates everything on a fresh account, sets TRACKING_SECRET, CREDENTIALS_KEY and AUTH_SECRET via stdin, migrates and deploys", async () => {
    writeState(FRESH);
    const res = await runDeploy();
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);

    const calls = readCalls();
    expect(commands(calls)).toEqual([
      ...RESOURCE_CALLS,
      `secret list --config ${CONFIG}`,
      `secret put TRACKING_SECRET --config ${CONFIG}`,
      `secret put CREDENTIALS_KEY --config ${CONFIG}`,
      `secret put AUTH_SECRET --config ${CONFIG}`,
      `d1 migrations apply DB --remote --config ${CONFIG}`,
      `deploy --config ${CONFIG}`,
    ]);
    for (const call of calls) {
      expect(call.cwd).toBe(dir);
      expect(call.env.WRANGLER_SEND_METRICS).toBe("false");
    }
    // Every command is echoed.
    for (const command of commands(calls)) expect(res.stdout).toContain(`$ wrangler ${command}`);

    // The secret: random 32 bytes as hex, on stdin only.
    const state = readState();
    const secret = state.secrets.TRACKING_SECRET!;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const put = calls.find(
      (c) => c.argv[0] === "secret" && c.argv[1] === "put" && c.argv[2] === "TRACKING_SECRET",
    )!;
    expect(put.stdin?.trim()).toBe(secret);
    for (const call of calls) expect(call.argv.join(" ")).not.toContain(secret);
    expect(res.stdout).not.toContain(secret);
    expect(res.stderr).not.toContain(secret);

    const migrate = calls.find((c) => c.argv.includes("migrations"))!;
    expect(migrate.env.CI).toBe("true");

    // The generated config: real ids, production vars, nothing from development.
    const d1Id = state.d1.find((d) => d.name === "pushbunny")!.uuid;
    const kvId = state.kv.find((k) => k.title === "pushbunny-edge-KV")!.id;
    expect(state.queues.sort()).toEqual(["pushbunny-dlq", "pushbunny-events", "pushbunny-jobs"]);
    const generated = readFileSync(path.join(dir, CONFIG), "utf8");
    expect(generated).toMatch(/^# GENERATED/);
    expect(generated).toContain(`database_id = "${d1Id}"`);
    expect(generated).toContain(`id = "${kvId}"`);
    expect(generated).toContain('ENVIRONMENT = "production"');
    expect(generated).toContain('main = "workers/src/index.ts"');
    expect(generated).toContain('migrations_dir = "migrations"');
    expect(generated).not.toMatch(/API_KEYS|pb_dev_|"0{32}"|"0{8}-0{4}/);
    // The secret, migrations and deploy saw that same file.
    for (const call of calls.filter((c) => c.argv.includes("--config"))) expect(call.config).toBe(generated);
    // wrangler.toml itself is untouched.
    expect(readFileSync(path.join(dir, "wrangler.toml"), "utf8")).toBe(
      readFileSync(path.join(REPO, "wrangler.toml"), "utf8"),
    );

    expect(res.stdout).toContain("Worker URL: https://pushbunny-edge.example.workers.dev");
    expect(res.stdout).toMatch(/Created:\n(.*\n)*\s+- D1 database pushbunny/);
    expect(res.stdout).toContain("npx wrangler secret put GEMINI_API_KEY");
    expect(res.stdout).toContain("npx wrangler secret put API_KEYS");
  });

  // Two whole deploys with their node processes: slower than the default 5 s on a busy 2-core runner.
  it("reuses everything on a second run: creates nothing, keeps the secret, still migrates and deploys", async () => {
    writeState(FRESH);
    expect((await runDeploy()).code).toBe(0);
    const before = readState();

    const res = await runDeploy();
    expect(res.code).toBe(0);
    const calls = readCalls();
    expect(commands(calls)).toEqual([
      "whoami",
      "d1 list --json",
      "kv namespace list",
      "queues list",
      // A bucket that exists answers "already exists": reused, not created.
      "r2 bucket create pushbunny-uploads",
      `secret list --config ${CONFIG}`,
      `d1 migrations apply DB --remote --config ${CONFIG}`,
      `deploy --config ${CONFIG}`,
    ]);
    const after = readState();
    expect(after.secrets).toEqual(before.secrets);
    expect(after.d1).toEqual(before.d1);
    expect(after.kv).toEqual(before.kv);
    expect(readFileSync(path.join(dir, CONFIG), "utf8")).toContain(`database_id = "${before.d1[0]!.uuid}"`);
    expect(res.stdout).toMatch(/Created:\n\s+\(none\)/);
    expect(res.stdout).toContain("secret TRACKING_SECRET");
  }, 20_000);

  it("treats a queue that already exists (but was not listed) as reused, and picks the KV namespace by title", async () => {
    writeState({
      ...FRESH,
      d1: [{ name: "pushbunny", uuid: "11111111-2222-3333-4444-555555555555" }],
      kv: [
        { id: "a".repeat(32), title: "KV" },
        { id: "b".repeat(32), title: "pushbunny-edge-KV" },
      ],
      queues: ["pushbunny-events", "pushbunny-jobs", "pushbunny-dlq"],
      r2: ["pushbunny-uploads"],
      hideQueuesInList: true,
      workerExists: true,
      secrets: {
        TRACKING_SECRET: "existing",
        CREDENTIALS_KEY: "existing",
        AUTH_SECRET: "existing",
        GEMINI_API_KEY: "g",
      },
    });
    const res = await runDeploy();
    expect(res.code).toBe(0);
    expect(commands(readCalls()).filter((c) => c.startsWith("queues create"))).toHaveLength(3);
    expect(readState().r2).toEqual(["pushbunny-uploads"]);
    expect(readState().secrets.TRACKING_SECRET).toBe("existing");
    const generated = readFileSync(path.join(dir, CONFIG), "utf8");
    expect(generated).toContain(`id = "${"b".repeat(32)}"`);
    expect(generated).toContain('database_id = "11111111-2222-3333-4444-555555555555"');
    expect(res.stdout).toMatch(/Created:\n\s+\(none\)/);
    expect(res.stdout).not.toContain("secret put GEMINI_API_KEY");
    expect(res.stdout).toContain("npx wrangler secret put API_KEYS");
  });

  it("exits 1 with the login hint when not logged in, and calls nothing else", async () => {
    writeState({ ...FRESH, loggedIn: false });
    const res = await runDeploy();
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("npx wrangler login");
    expect(res.stderr).toContain("CLOUDFLARE_API_TOKEN");
    expect(res.stderr).toContain("CLOUDFLARE_ACCOUNT_ID");
    expect(commands(readCalls())).toEqual(["whoami"]);
    expect(existsSync(path.join(dir, CONFIG))).toBe(false);
  });

  it("exits non-zero and shows wrangler's stderr when wrangler deploy fails", async () => {
    writeState({ ...FRESH, failDeploy: true });
    const res = await runDeploy();
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("fake syntax error");
    expect(res.stderr).toContain("deploy failed");
    expect(commands(readCalls()).at(-1)).toBe(`deploy --config ${CONFIG}`);
    expect(res.stdout).not.toContain("Deployed pushbunny-edge.");
  });

  it("--dry-run makes no account calls, bundles with --dry-run and passes extra args through", async () => {
    writeState({ ...FRESH, loggedIn: false });
    // As `pnpm run deploy -- --dry-run -- --minify` passes them (pnpm 10 keeps the first `--`).
    const res = await runDeploy("--", "--dry-run", "--", "--minify");
    expect(res.code).toBe(0);
    expect(commands(readCalls())).toEqual([
      `deploy --dry-run --outdir .deploy/dist --config ${CONFIG} --minify`,
    ]);
    expect(res.stdout).toContain("123.45 KiB");
    const generated = readFileSync(path.join(dir, CONFIG), "utf8");
    expect(generated).toContain('ENVIRONMENT = "production"');
    expect(generated).not.toMatch(/API_KEYS|pb_dev_/);
  });

  it("refuses a wrangler.toml carrying development settings before touching the account", async () => {
    writeState(FRESH);
    const source = readFileSync(path.join(dir, "wrangler.toml"), "utf8");
    writeFileSync(
      path.join(dir, "wrangler.toml"),
      source.replace('ENVIRONMENT = "production"', 'ENVIRONMENT = "development"\nAPI_KEYS = "pb_dev_123"'),
    );
    const res = await runDeploy();
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("not production-safe");
    expect(res.stderr).toContain("API_KEYS");
    expect(readCalls()).toEqual([]);
  });

  it("rejects unknown arguments with usage (exit 2)", async () => {
    writeState(FRESH);
    const res = await runDeploy("--bogus");
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("usage:");
    expect(readCalls()).toEqual([]);
  });
});
