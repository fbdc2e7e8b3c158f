// Starts the Worker the way `pnpm dev` does (scripts/dev.mjs: migrations, the seeded development
// project, `wrangler dev --var ENVIRONMENT:development`), but on a fresh state directory and a free
// port, for tests that need the real thing over HTTP. Same lifecycle as scripts/bench.mjs: its own
// process group, readiness through GET /health, the whole group killed at the end.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// dev.mjs and wrangler need Node 22; this shim runs the pinned one whatever Node runs the caller.
const NODE = path.join(ROOT, "node_modules", ".bin", "node");
const DEV_SCRIPT = path.join(ROOT, "scripts", "dev.mjs");
const LOG_LINES = 200;

/** The project and key scripts/dev.mjs seeds (importing dev.mjs would start a server). */
export const DEV_PROJECT_ID = "prj_dev";
export const DEV_API_KEY = "pb_dev_local_0000000000000000";

/** A running local Worker: `origin` uses localhost (a secure context for browsers). */
export interface LocalWorker {
  origin: string;
  port: number;
  stateDir: string;
  /** The last lines wrangler printed, for failure messages. */
  log(): string;
  /**
   * Runs SQL on the Worker's local D1 with `wrangler d1 execute --local` and returns the rows of
   * each statement: for tests that must set up what no API offers (e.g. a channel restating days).
   */
  d1(sql: string): Promise<Record<string, unknown>[][]>;
  /** Stops every process of the group and removes the state directory; safe to call twice. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Tries before giving up when the free port was taken between choosing it and binding it. */
const PORT_ATTEMPTS = 3;

/**
 * Runs scripts/dev.mjs on a temp `--persist-to` dir and a free port; resolves once /health is ok.
 * A port found free can be taken before wrangler binds it (another test's workerd asks the OS for
 * ports too, and tests run two files at a time): then it starts again on new ports.
 */
export async function startLocalWorker({ timeoutMs = 60_000 } = {}): Promise<LocalWorker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(timeoutMs);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= PORT_ATTEMPTS || !/address already in use|EADDRINUSE/i.test(message)) throw err;
    }
  }
}

async function startOnce(timeoutMs: number): Promise<LocalWorker> {
  const [port, inspectorPort] = await Promise.all([freePort(), freePort()]);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "pushbunny-worker-"));
  const lines: string[] = [];
  const pushLog = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() !== "") lines.push(line);
    }
    if (lines.length > LOG_LINES) lines.splice(0, lines.length - LOG_LINES);
  };
  const log = () => lines.join("\n");

  // Detached: dev.mjs, wrangler's node, esbuild and both workerd processes share one process
  // group, so one signal reaches them all (workerd can outlive wrangler otherwise).
  const child: ChildProcess = spawn(
    NODE,
    [
      DEV_SCRIPT,
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspectorPort),
      "--inspector-ip",
      "127.0.0.1",
      "--persist-to",
      stateDir,
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
      "--live-reload=false",
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      // No prompts, telemetry or update checks: CI may have no network beyond the npm registry.
      env: {
        ...process.env,
        CI: "true",
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_SEND_ERROR_REPORTS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_NO_SKILLS_UPDATE_PROMPTS: "true",
        NO_UPDATE_NOTIFIER: "1",
        FORCE_COLOR: "0",
        NO_COLOR: "1",
      },
    },
  );
  const pgid = child.pid ?? 0;
  let exited: string | null = null;
  child.stdout?.on("data", pushLog);
  child.stderr?.on("data", pushLog);
  child.on("error", (err) => {
    exited = `spawn failed: ${err.message}`;
  });
  child.on("exit", (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
  });

  // Last resort if the caller never reaches stop(): 'exit' handlers must be synchronous.
  const onExit = () => {
    if (pgid) killGroup(pgid, "SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (pgid) {
      killGroup(pgid, "SIGTERM");
      const deadline = Date.now() + 5_000;
      while (exited === null && Date.now() < deadline) await sleep(50);
      await sleep(200);
      killGroup(pgid, "SIGKILL");
    }
    process.removeListener("exit", onExit);
    rmSync(stateDir, { recursive: true, force: true });
  };

  const health = `http://127.0.0.1:${port}/health`;
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  try {
    while (true) {
      if (exited !== null) throw new Error(`scripts/dev.mjs exited (${exited}) before /health answered`);
      if (Date.now() > deadline) {
        throw new Error(`GET ${health} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
      }
      try {
        const res = await fetch(health, { signal: AbortSignal.timeout(2_000) });
        const text = await res.text();
        if (res.status === 200 && /"status"\s*:\s*"ok"/.test(text)) break;
        last = `HTTP ${res.status}: ${text.slice(0, 200)}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(250);
    }
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nwrangler output:\n${log()}`);
  }
  const d1 = (sql: string) => execD1(stateDir, sql);
  return { origin: `http://localhost:${port}`, port, stateDir, log, d1, stop };
}

const WRANGLER = path.join(
  ROOT,
  "node_modules",
  ".bin",
  process.platform === "win32" ? "wrangler.cmd" : "wrangler",
);

/** `wrangler d1 execute DB --local --json` on a state directory; rejects with wrangler's output. */
export function execD1(stateDir: string, sql: string): Promise<Record<string, unknown>[][]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      WRANGLER,
      ["d1", "execute", "DB", "--local", "--persist-to", stateDir, "--json", "--command", sql],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        // wrangler's shim runs the `node` on PATH: the pinned Node 22 in node_modules/.bin comes first.
        env: {
          ...process.env,
          PATH: `${path.join(ROOT, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
          CI: "true",
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_SEND_ERROR_REPORTS: "false",
          NO_COLOR: "1",
        },
      },
    );
    let out = "";
    let err = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`wrangler d1 execute failed (${code}):\n${out}\n${err}`));
      try {
        const parsed = JSON.parse(out) as { results?: Record<string, unknown>[] }[];
        resolve(parsed.map((p) => p.results ?? []));
      } catch {
        reject(new Error(`wrangler d1 execute printed no JSON:\n${out}\n${err}`));
      }
    });
  });
}
