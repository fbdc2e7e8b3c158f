#!/usr/bin/env node
// Local throughput bench for the Worker: starts `wrangler dev` on a fresh state dir, drives
// keep-alive HTTP load from this process, and reports each route side by side with GET /health.
//
//   pnpm bench [--duration S] [--quick] [--concurrency N] [--subscribers N] [--port P] [--keep]
//
// Phases (one run, in order): GET /health, warm POST /v1/message, POST /v1/events (100/req),
// then the queue consumer's drain of those events into D1 (read back through GET /v1/stats),
// then one Web Push broadcast to 10,000 subscriptions on the fake push service
// (workers/test-support/fake-push-service.ts, run by scripts/bench-push-service.ts in a Node
// process of its own, which decrypts and verifies every message); then f, the dashboard's pages
// (/app) on a project seeded with 1,000 experiments and 90 days of daily counts: the server part of
// the experiments list and the experiment page, one request at a time, in wall time and in CPU
// of the Worker's workerd process (target < 50 ms). `--dashboard-only` runs phase f alone.
// Then g, email (scripts/bench/email.ts, a Worker of its own started like `pnpm dev`): a
// 100,000-row CSV import (target < 60 s) and a campaign to 50,000 of those contacts through the
// Resend stub, in messages/s accepted by the stub (target ≥ 1,000) and Worker CPU per message.
// `--email-only` runs phase g alone; `--no-email` skips it.
// Results go to stdout and .bench/results.json. Exit code: 0 when the bench ran (targets
// missed or not), 1 when the Worker could not start or the bench failed, 2 when a phase had
// more than 1% errors or a broadcast message did not arrive, decrypt and verify.
// No dependencies beyond Node's standard library (phase e's helper scripts are TypeScript, run by
// this same Node through scripts/register-ts.mjs).

import { spawn } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");
const OUT_DIR = path.join(ROOT, ".bench");
const INTENT = "bench_warm";
const BASE_EXAMPLE = "You left items in your cart";
const EVENTS_PER_REQUEST = 100;
const CONSUMER_BATCH_MESSAGES = 100; // max_batch_size of the events queue in wrangler.toml
const MAX_TOKENS = 200_000;
// Events phase c is expected to need at most: 40,000 events/s over warm-up + window + tail.
const PREMINT_EVENTS = 500_000;
const ERROR_FLAG_RATIO = 0.01;
const TARGETS = {
  messageRatio: 0.85,
  eventsPerSec: 20_000,
  drainPerSec: 10_000,
  broadcastDeliveriesPerSec: 1_000,
};
const BROADCAST_SUBSCRIBERS = { full: 10_000, quick: 2_000 };
// Messages for the Node micro-benchmark of buildPushRequest.
const ENCRYPT_BENCH_MESSAGES = 2_000;

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const opts = {
    duration: 8,
    quick: false,
    concurrency: 32,
    port: undefined,
    keep: false,
    realTokensOnly: false,
    subscribers: undefined,
    dashboardOnly: false,
    emailOnly: false,
    noEmail: false,
  };
  let durationGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${flag} needs a value`);
      return v;
    };
    const positive = (v, name) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) fail(`${name} must be a positive number, got '${v}'`);
      return n;
    };
    switch (flag) {
      case "--duration":
        opts.duration = positive(value(), "--duration");
        durationGiven = true;
        break;
      case "--quick":
        opts.quick = true;
        break;
      case "--concurrency":
        opts.concurrency = Math.round(positive(value(), "--concurrency"));
        break;
      case "--port":
        opts.port = Math.round(positive(value(), "--port"));
        break;
      case "--subscribers":
        opts.subscribers = Math.round(positive(value(), "--subscribers"));
        break;
      case "--keep":
        opts.keep = true;
        break;
      case "--real-tokens-only":
        opts.realTokensOnly = true;
        break;
      case "--dashboard-only":
        opts.dashboardOnly = true;
        break;
      case "--email-only":
        opts.emailOnly = true;
        break;
      case "--no-email":
        opts.noEmail = true;
        break;
      case "-h":
      case "--help":
        console.log(
          "usage: pnpm bench [--duration S] [--quick] [--concurrency N] [--subscribers N] [--port P] [--keep] [--real-tokens-only] [--dashboard-only]\n" +
            "  --duration S     measured seconds per phase (default 8)\n" +
            `  --quick          3 s phases, 1 s warm-ups, ${BROADCAST_SUBSCRIBERS.quick.toLocaleString("en-US")} subscriptions in phase e\n` +
            "  --concurrency N  in-flight requests (default 32)\n" +
            `  --subscribers N  subscriptions the phase e broadcast goes to (default ${BROADCAST_SUBSCRIBERS.full.toLocaleString("en-US")})\n` +
            "  --port P         port for wrangler dev (default: a free one)\n" +
            "  --keep           keep the temporary wrangler state directory\n" +
            "  --real-tokens-only  phase c uses only phase b's tokens (repeats once they run out)\n" +
            "                   instead of minting more with the bench's TRACKING_SECRET\n" +
            "  --dashboard-only run phase f (the dashboard's pages) alone\n" +
            "  --email-only     run phase g (CSV import, a campaign through the Resend stub) alone\n" +
            "  --no-email       skip phase g",
        );
        process.exit(0);
        break;
      default:
        fail(`unknown argument '${a}' (see --help)`);
    }
  }
  if (opts.quick && !durationGiven) opts.duration = 3;
  opts.subscribers ??= opts.quick ? BROADCAST_SUBSCRIBERS.quick : BROADCAST_SUBSCRIBERS.full;
  opts.warmup = opts.quick ? 1 : 2;
  return opts;
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const fmtMs = (n) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : "n/a");
const fmtPct = (n) => (Number.isFinite(n) ? `${Math.round(n)}%` : "n/a");
const round = (n, d = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : null);

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(p * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Resolves when nothing listens on 127.0.0.1:port (so /health cannot reach a stranger). */
function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function randomToken(len) {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = randomBytes(len);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

// CPU accounting from /proc (Linux; everything degrades to n/a elsewhere).
const CLK_TCK = 100;

function procCpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ticks: Number(rest[11]) + Number(rest[12]), pgid: Number(rest[2]) };
  } catch {
    return null;
  }
}

function procComm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

const workerdRole = new Map(); // pid → "proxy" | "worker"

/**
 * wrangler dev runs two workerd processes: a proxy that owns the public port and forwards each
 * request, and the one that runs the Worker (and the local D1, KV, queues, Durable Objects).
 */
function roleOf(pid) {
  let role = workerdRole.get(pid);
  if (!role) {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      // gone
    }
    role = cmdline.includes(`entry=127.0.0.1:${state.port}`) ? "proxy" : "worker";
    workerdRole.set(pid, role);
  }
  return role;
}

/**
 * CPU ticks of every process in wrangler's process group: Worker workerd, proxy workerd, rest;
 * and which pids run the Worker, since wrangler replaces that process when a source file changes.
 */
function groupCpu(pgid) {
  if (!pgid) return null;
  let worker = 0;
  let proxy = 0;
  let other = 0;
  const workerPids = [];
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const s = procCpuTicks(name);
    if (!s || s.pgid !== pgid) continue;
    if (procComm(name) !== "workerd") other += s.ticks;
    else if (roleOf(name) === "proxy") proxy += s.ticks;
    else {
      worker += s.ticks;
      workerPids.push(name);
    }
  }
  return { worker, proxy, other, workerPids: workerPids.sort().join(",") };
}

function machineCpu() {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0];
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { idle, total };
  } catch {
    return null;
  }
}

/** Snapshot of client, server and machine CPU counters; `usage(a, b)` turns two into percents. */
function cpuSnapshot(pgid) {
  return {
    t: performance.now(),
    client: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    group: groupCpu(pgid),
    machine: machineCpu(),
  };
}

function cpuUsage(a, b) {
  const wallMs = b.t - a.t;
  const clientMs = (b.client.user - a.client.user + b.client.system - a.client.system) / 1000;
  const out = {
    client_cpu_pct: (100 * clientMs) / wallMs,
    client_event_loop_utilization: performance.eventLoopUtilization(b.elu, a.elu).utilization,
    worker_workerd_cpu_pct: Number.NaN,
    proxy_workerd_cpu_pct: Number.NaN,
    wrangler_node_cpu_pct: Number.NaN,
    machine_busy_pct: Number.NaN,
    worker_restarted: false,
  };
  if (a.group && b.group) {
    const pct = (k) => (100 * ((b.group[k] - a.group[k]) * (1000 / CLK_TCK))) / wallMs;
    // A replaced process takes its ticks with it: the difference would mean nothing.
    out.worker_restarted = a.group.workerPids !== b.group.workerPids;
    out.worker_workerd_cpu_pct = out.worker_restarted ? Number.NaN : pct("worker");
    out.proxy_workerd_cpu_pct = pct("proxy");
    out.wrangler_node_cpu_pct = pct("other");
  }
  if (a.machine && b.machine) {
    const total = b.machine.total - a.machine.total;
    const idle = b.machine.idle - a.machine.idle;
    // Percent of ALL cores (100% = every core busy).
    out.machine_busy_pct = total > 0 ? (100 * (total - idle)) / total : Number.NaN;
  }
  return out;
}

/** A rough reading of what capped a phase, from its CPU figures. */
function limitedBy(c) {
  if (!c || !Number.isFinite(c.client_event_loop_utilization)) return "n/a";
  if (c.client_event_loop_utilization > 0.9) return "bench client (event loop saturated)";
  // workerd runs the Worker's JavaScript (and, locally, its D1/KV/queue simulators) on one thread.
  if (c.worker_workerd_cpu_pct >= 90) return "Worker's workerd thread (one core)";
  if (c.machine_busy_pct >= 80) return "machine CPU (all cores busy)";
  return "latency / concurrency (no CPU saturated)";
}

// ---------------------------------------------------------------------------------------------
// Wrangler lifecycle

const state = {
  port: 0,
  child: null,
  childExited: false,
  exitInfo: null,
  tmpDir: null,
  keep: false,
  log: [],
  pushService: null, // the fake push service's child process (phase e)
};
const LOG_LINES = 400;

function pushLog(chunk) {
  for (const line of chunk.toString("utf8").split("\n")) {
    if (line.trim() === "") continue;
    state.log.push(line);
    if (state.log.length > LOG_LINES * 2) state.log.splice(0, state.log.length - LOG_LINES);
  }
}

function logTail(n = 40) {
  return state.log.slice(-n).join("\n");
}

function wranglerEnv() {
  return {
    ...process.env,
    // No prompts, no telemetry, no network: the machine may be offline.
    CI: "true",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_NO_SKILLS_UPDATE_PROMPTS: "true",
    NO_UPDATE_NOTIFIER: "1",
    FORCE_COLOR: "0",
    NO_COLOR: "1",
  };
}

function runCommand(cmd, args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: wranglerEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ code: -1, out: `${out}\n${err.message}` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), out });
    });
  });
}

function startWrangler({ port, inspectorPort, tmpDir, apiKey, trackingSecret }) {
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--inspector-ip",
    "127.0.0.1",
    "--persist-to",
    tmpDir,
    "--local",
    "--var",
    "ENVIRONMENT:development",
    "--var",
    `API_KEYS:${apiKey}`,
    "--var",
    "LOG_LEVEL:warn",
    "--var",
    "CHALLENGER_COUNT:3",
    "--var",
    `TRACKING_SECRET:${trackingSecret}`,
    "--log-level",
    "warn",
    "--show-interactive-dev-session=false",
    "--live-reload=false",
  ];
  // Its own process group, so the wrapper script, wrangler's node, workerd and esbuild can be
  // killed together — and so a Ctrl-C in the terminal reaches only us, and we clean up.
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: wranglerEnv(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  state.child = child;
  state.pgid = child.pid ?? 0;
  child.stdout.on("data", pushLog);
  child.stderr.on("data", pushLog);
  child.on("error", (err) => {
    state.childExited = true;
    state.exitInfo = `spawn failed: ${err.message}`;
  });
  child.on("exit", (code, signal) => {
    state.childExited = true;
    state.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
  });
  return child;
}

async function stopWrangler() {
  if (!state.pgid) return;
  const group = -state.pgid;
  try {
    process.kill(group, "SIGTERM");
  } catch {
    // already gone
  }
  const deadline = Date.now() + 5_000;
  while (!state.childExited && Date.now() < deadline) await sleep(50);
  await sleep(300);
  // Whatever is left of the group (workerd can outlive the wrapper) is killed outright.
  try {
    process.kill(group, "SIGKILL");
  } catch {
    // already gone
  }
  state.pgid = 0;
}

function removeTmp() {
  if (state.tmpDir && !state.keep) {
    try {
      rmSync(state.tmpDir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
}

let cleaningUp = false;
async function cleanup() {
  if (cleaningUp) return;
  cleaningUp = true;
  await stopPushService();
  await stopWrangler();
  removeTmp();
}

// Last resort for paths that skip cleanup(): synchronous, so it works inside 'exit'.
process.on("exit", () => {
  if (state.pushService && state.pushService.exitCode === null) state.pushService.kill("SIGKILL");
  if (state.pgid) {
    try {
      process.kill(-state.pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  removeTmp();
});
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    console.error(`\nbench: ${sig}, stopping wrangler…`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function waitForHealth(base, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (state.childExited) {
      throw new Error(`wrangler dev exited (${state.exitInfo}) before /health answered:\n${logTail()}`);
    }
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      if (res.status === 200 && /"status"\s*:\s*"ok"/.test(text)) return;
      last = `HTTP ${res.status}: ${text.slice(0, 200)}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(250);
  }
  throw new Error(
    `GET ${base}/health did not answer 200 within ${timeoutMs / 1000} s (last: ${last}).\nwrangler output:\n${logTail()}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Web Push helpers (phase e): TypeScript scripts run by this Node through the repo's loader

const TS_LOADER = ["--import", "./scripts/register-ts.mjs"];

/**
 * Starts scripts/bench-push-service.ts and resolves with { child, pid, baseUrl, audience } once it
 * prints its address. It exits by itself when our end of its stdin closes.
 */
function startPushService(timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...TS_LOADER, "scripts/bench-push-service.ts"], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    state.pushService = child;
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the fake push service did not start within ${timeoutMs / 1000} s:\n${err}`));
    }, timeoutMs);
    child.stdout.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve({ child, ...JSON.parse(out.slice(0, nl)) });
      } catch {
        reject(new Error(`the fake push service printed ${out.slice(0, 200)} instead of its address`));
      }
    });
    child.stderr.on("data", (d) => {
      err = (err + d).slice(-4_000);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start the fake push service: ${e.message}`));
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      // After it started this rejects nothing; the phase notices through failed requests.
      reject(new Error(`the fake push service exited (${signal ?? `code ${code}`}):\n${err}`));
    });
  });
}

async function stopPushService() {
  const child = state.pushService;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.stdin.end();
  const deadline = Date.now() + 2_000;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(25);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Runs `fn(i)` for i in 0..count-1 with at most `concurrency` calls in flight. */
async function pool(count, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** One-off requests (setup, stats polling) on their own small keep-alive agent. */
const controlAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function request(agent, { host, port, method, path: p, headers, body, timeoutMs = 30_000 }) {
  return new Promise((resolve) => {
    const started = performance.now();
    let settled = false;
    const done = (r) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: performance.now() - started, end: performance.now() });
    };
    const req = http.request({ host, port, method, path: p, headers, agent }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (err) => done({ status: 0, error: err }));
      res.on("aborted", () => done({ status: 0, error: new Error("response aborted") }));
    });
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error("request timeout"), { code: "ETIMEDOUT" })),
    );
    req.on("error", (err) => done({ status: 0, error: err }));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** JSON requests to host:port with the API key (none when apiKey is null), on `agent`. */
function makeApi(host, port, apiKey, agent = controlAgent) {
  const auth = apiKey === null ? undefined : `Bearer ${apiKey}`;
  return async (method, p, json) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers = auth === undefined ? {} : { authorization: auth };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = Buffer.byteLength(body);
    }
    const r = await request(agent, { host, port, method, path: p, headers, body });
    let parsed = null;
    try {
      parsed = r.body ? JSON.parse(r.body) : null;
    } catch {
      // not JSON
    }
    return {
      status: r.status,
      json: parsed,
      text: r.body ?? String(r.error?.message),
      error: r.error,
      ms: r.ms,
    };
  };
}

/**
 * Keeps `concurrency` requests in flight for warm-up + duration. The measured window opens when
 * the warm-up ends (no gap: the same connections keep going) and counts every response that
 * completes inside it. After the window no new request starts; the in-flight ones finish and
 * are passed to onResponse (phase "tail") so callers can still account for them. onResponse
 * returns null, or a problem string that turns a 2xx into an error.
 */
async function runLoad({ host, port, concurrency, warmupMs, durationMs, pgid, next, onResponse }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies = [];
  const errorKinds = new Map();
  const counts = { ok: 0, errors: 0, warmupOk: 0, warmupErrors: 0, tailOk: 0, tailErrors: 0 };
  let windowStart;
  let windowEnd;
  let startSnap;
  let endSnap;
  let stopped = false;

  const warmTimer = setTimeout(() => {
    startSnap = cpuSnapshot(pgid);
    windowStart = startSnap.t;
    endTimer = setTimeout(() => {
      endSnap = cpuSnapshot(pgid);
      windowEnd = endSnap.t;
      stopped = true;
    }, durationMs);
  }, warmupMs);
  let endTimer;

  const recordError = (kind, detail) => {
    const e = errorKinds.get(kind) ?? { count: 0, sample: detail };
    e.count++;
    errorKinds.set(kind, e);
  };

  const loop = async () => {
    while (!stopped) {
      const spec = next();
      const r = await request(agent, { host, port, ...spec });
      const phase =
        windowStart === undefined || r.end < windowStart
          ? "warmup"
          : windowEnd === undefined || r.end <= windowEnd
            ? "window"
            : "tail";
      let ok = !r.error && r.status >= 200 && r.status < 300;
      let problem = null;
      if (ok) {
        problem = onResponse({ status: r.status, body: r.body, meta: spec.meta, phase });
        if (problem) ok = false;
      } else {
        onResponse({ status: r.status, body: r.body, meta: spec.meta, phase, failed: true });
      }
      if (phase === "window") {
        if (ok) {
          counts.ok++;
          latencies.push(r.ms);
        } else counts.errors++;
      } else if (phase === "warmup") ok ? counts.warmupOk++ : counts.warmupErrors++;
      else ok ? counts.tailOk++ : counts.tailErrors++;
      if (!ok) {
        if (r.error) recordError(`socket: ${r.error.code ?? ""} ${r.error.message}`.trim(), r.error.stack);
        else if (problem) recordError(`HTTP ${r.status}: ${problem}`, r.body?.slice(0, 500));
        else {
          let code = "";
          try {
            code = JSON.parse(r.body)?.error?.code ?? "";
          } catch {
            // not JSON
          }
          recordError(`HTTP ${r.status} ${code}`.trim(), r.body?.slice(0, 500));
        }
        // A dead server fails fast; do not spin.
        if (r.error && state.childExited) await sleep(50);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  clearTimeout(warmTimer);
  clearTimeout(endTimer);
  agent.destroy();

  const seconds = (windowEnd - windowStart) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const total = counts.ok + counts.errors;
  return {
    seconds,
    requests: total,
    ok: counts.ok,
    errors: counts.errors,
    error_ratio: total > 0 ? counts.errors / total : 0,
    rps: counts.ok / seconds,
    p50_ms: percentile(sorted, 0.5),
    p90_ms: percentile(sorted, 0.9),
    p99_ms: percentile(sorted, 0.99),
    max_ms: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    warmup: { ok: counts.warmupOk, errors: counts.warmupErrors },
    tail: { ok: counts.tailOk, errors: counts.tailErrors },
    error_kinds: [...errorKinds].map(([kind, v]) => ({ kind, count: v.count, sample: v.sample })),
    cpu: startSnap && endSnap ? cpuUsage(startSnap, endSnap) : null,
  };
}

function reportErrors(name, r) {
  const all = r.errors + r.warmup.errors + r.tail.errors;
  if (all === 0) return;
  console.log(
    `  ! ${name}: ${r.errors} errors in the measured window (${(100 * r.error_ratio).toFixed(2)}%), ` +
      `${r.warmup.errors} in warm-up, ${r.tail.errors} after it`,
  );
  for (const e of r.error_kinds) {
    console.log(`    ${e.count} × ${e.kind}`);
    if (e.sample) console.log(`      e.g. ${String(e.sample).split("\n").slice(0, 6).join("\n      ")}`);
  }
}

function phaseLine(name, r, extra = "") {
  return `  ${name}: ${fmtInt(r.rps)} req/s, p50 ${fmtMs(r.p50_ms)} ms, p99 ${fmtMs(r.p99_ms)} ms, ${r.errors} errors${extra}`;
}

// ---------------------------------------------------------------------------------------------
// Stats polling

async function getStats(api) {
  const r = await api("GET", `/v1/stats?intent_id=${INTENT}`);
  if (r.status !== 200 || !r.json) return null;
  const s = r.json;
  return {
    impressions: Number(s.total_impressions ?? 0),
    events: Number(s.total_opens ?? 0) + Number(s.total_conversions ?? 0),
    opens: Number(s.total_opens ?? 0),
    conversions: Number(s.total_conversions ?? 0),
    variants: Array.isArray(s.variants) ? s.variants.length : 0,
    raw: s,
  };
}

/**
 * Polls stats every 250 ms until `done(stats)` or the timeout. Returns the time (performance.now)
 * the condition was first seen, plus the last stats and when their watched value last changed.
 */
async function pollStats(api, { done, timeoutMs, watch }) {
  const deadline = performance.now() + timeoutMs;
  let last = null;
  let lastValue;
  let lastChangeAt = performance.now();
  while (true) {
    const s = await getStats(api);
    const t = performance.now();
    if (s) {
      const v = watch(s);
      if (v !== lastValue) {
        lastValue = v;
        lastChangeAt = t;
      }
      last = s;
      if (done(s)) return { reached: true, at: t, stats: s, lastChangeAt };
    }
    if (t >= deadline) return { reached: false, at: t, stats: last, lastChangeAt };
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------
// Phase f: the dashboard's pages on a large project

const DASHBOARD = {
  projectId: "prj_bench_dashboard",
  userId: "usr_bench_dashboard",
  experiments: 1_000,
  variantsPerExperiment: 4,
  days: 90,
  samples: { full: 40, quick: 15 },
  targetMs: 50,
  push: { subscriptions: 20_000, deliveriesPerNotification: 200 },
  ads: { campaigns: 6 },
};

/**
 * SQL for a project with DASHBOARD.experiments experiments of 4 arms and 90 days of daily counts
 * each (360,000 rows of variant_daily_stats), a member, and a live login whose refresh token is
 * the dashboard's cookie. Written straight to D1 before wrangler dev starts: the API would take
 * minutes to make this history, and the page reads only these tables.
 */
function dashboardSeedSql({ refreshDigest, now }) {
  const { projectId: p, userId: u } = DASHBOARD;
  const lastE = DASHBOARD.experiments - 1;
  const lastV = DASHBOARD.variantsPerExperiment - 1;
  const lastD = DASHBOARD.days - 1;
  const firstDay = new Date(now - DASHBOARD.days * 86_400_000).toISOString().slice(0, 10);
  const created = now - (DASHBOARD.days + 1) * 86_400_000;
  const exps = `n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${lastE})`;
  const arms = `v(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM v WHERE j < ${lastV})`;
  const days = `d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < ${lastD})`;
  return `
INSERT INTO projects (id, name, default_locale, challenger_count, created_at, updated_at) VALUES ('${p}', 'bench dashboard', 'en-US', 3, ${now}, ${now});
INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('${u}', 'bench-dashboard@example.com', 'Bench', ${now}, ${now});
INSERT INTO project_members (project_id, user_id, role, created_at, updated_at) VALUES ('${p}', '${u}', 'owner', ${now}, ${now});
INSERT INTO session_families (id, user_id, method, created_at, last_used_at) VALUES ('ses_bench_dashboard', '${u}', 'password', ${now}, ${now});
INSERT INTO refresh_tokens (id, family_id, user_id, digest, created_at, expires_at) VALUES ('rtk_bench_dashboard', 'ses_bench_dashboard', '${u}', '${refreshDigest}', ${now}, ${now + 86_400_000});
WITH RECURSIVE ${exps}
INSERT INTO experiments (id, project_id, intent_id, locale, base_example, strategy, status, challenger_count, generation_status, created_at, updated_at)
SELECT printf('exp_bench%04d', i), '${p}', printf('intent_%04d', i), 'en-US', 'You left items in your cart',
  CASE i % 3 WHEN 0 THEN 'round_robin' WHEN 1 THEN 'sticky' ELSE 'thompson' END, 'running', 3, 'ready',
  ${created} + i * 1000, ${created} + i * 1000 FROM n;
WITH RECURSIVE ${exps}, ${arms}
INSERT INTO variants (id, project_id, experiment_id, text, normalized, source, status, created_at, updated_at)
SELECT printf('var_bench%04d_%d', i, j), '${p}', printf('exp_bench%04d', i), printf('Copy %d for intent %d', j, i),
  printf('copy %d for intent %d', j, i), CASE j WHEN 0 THEN 'control' ELSE 'llm' END, 'active', ${created}, ${created} FROM n, v;
WITH RECURSIVE ${exps}, ${arms}, ${days}
INSERT INTO variant_daily_stats (project_id, experiment_id, variant_id, day, impressions, opens, conversions)
SELECT '${p}', printf('exp_bench%04d', i), printf('var_bench%04d_%d', i, j), date('${firstDay}', '+' || k || ' days'),
  100 + (i * 7 + j * 13 + k * 3) % 50, 10 + (i + j * 5 + k) % 15, 1 + (i + j + k) % 4 FROM n, v, d;
${pushAndAdsSeedSql({ now, firstDay })}`;
}

/**
 * The same project's push and ad history over the 90 days: DASHBOARD.push.subscriptions
 * subscriptions created across the days (a tenth expired, a twentieth deleted), one broadcast a day
 * with DASHBOARD.push.deliveriesPerNotification deliveries in a mix of statuses, and 4 sandbox ad
 * channels of DASHBOARD.ads.campaigns campaigns each with a row per campaign and day, plus a sync
 * run a day.
 */
function pushAndAdsSeedSql({ now, firstDay }) {
  const { projectId: p } = DASHBOARD;
  const { subscriptions, deliveriesPerNotification } = DASHBOARD.push;
  const dayMs = 86_400_000;
  const start = now - DASHBOARD.days * dayMs;
  const lastD = DASHBOARD.days - 1;
  const days = `d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < ${lastD})`;
  const subs = `s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${subscriptions - 1})`;
  const per = `r(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM r WHERE m < ${deliveriesPerNotification - 1})`;
  const camps = `c(q) AS (SELECT 0 UNION ALL SELECT q + 1 FROM c WHERE q < ${DASHBOARD.ads.campaigns - 1})`;
  const channels =
    "ch(name, f) AS (VALUES ('facebook', 1.0), ('instagram', 0.7), ('google_ads', 1.4), ('tiktok', 0.5))";
  return `
WITH RECURSIVE ${subs}
INSERT INTO subscriptions (id, project_id, endpoint, p256dh, auth, topics, vapid_key_id, expired_at, deleted_at, created_at, updated_at)
SELECT printf('sub_bench%06d', i), '${p}', printf('https://push.example.test/bench/%d', i), 'p256dh', 'auth', '[]', 'vky_bench',
  CASE WHEN i % 10 = 3 THEN ${start} + (i * ${dayMs * DASHBOARD.days}) / ${subscriptions} + ${dayMs * 5} END,
  CASE WHEN i % 20 = 7 THEN ${start} + (i * ${dayMs * DASHBOARD.days}) / ${subscriptions} + ${dayMs * 3} END,
  ${start} + (i * ${dayMs * DASHBOARD.days}) / ${subscriptions}, ${start} + (i * ${dayMs * DASHBOARD.days}) / ${subscriptions} FROM s;
WITH RECURSIVE ${days}
INSERT INTO notifications (id, project_id, type, target, payload, ttl, status, dispatched_at, recipients, created_at)
SELECT printf('ntf_bench%03d', k), '${p}', 'broadcast', '{"all":true}', printf('{"title":"Daily digest %d","body":"Bench"}', k), 86400,
  'dispatched', ${start} + k * ${dayMs} + 3600000, ${deliveriesPerNotification}, ${start} + k * ${dayMs} + 3600000 FROM d;
WITH RECURSIVE ${days}, ${per}
INSERT INTO deliveries (id, project_id, notification_id, subscription_id, status, attempts, last_status, created_at, sent_at, delivered_at, updated_at)
SELECT printf('dlv_bench%03d_%04d', k, m), '${p}', printf('ntf_bench%03d', k), printf('sub_bench%06d', (k * 97 + m) % ${subscriptions}),
  CASE WHEN m % 25 = 0 THEN 'failed' WHEN m % 40 = 1 THEN 'expired' WHEN m % 3 = 0 THEN 'sent' ELSE 'delivered' END, 1, 201,
  ${start} + k * ${dayMs} + 3600000, ${start} + k * ${dayMs} + 3601000,
  CASE WHEN m % 3 <> 0 AND m % 25 <> 0 THEN ${start} + k * ${dayMs} + 3602000 END, ${start} + k * ${dayMs} + 3602000 FROM d, r;
WITH ${channels}
INSERT INTO channel_accounts (id, project_id, channel, source, last_status, last_synced_at, created_at, updated_at)
SELECT 'cha_bench_' || name, '${p}', name, 'sandbox', 'ok', ${now}, ${start}, ${now} FROM ch;
WITH RECURSIVE ${channels}, ${camps}, ${days}
INSERT INTO ad_campaign_metrics (project_id, channel, campaign_id, date, campaign_name, source, cost, clicks, impressions, engagement, conversions, conversion_value, conversion_rate, roi, synced_at)
SELECT '${p}', name, printf('%s_%d', name, q), date('${firstDay}', '+' || k || ' days'), printf('Campaign %d', q), 'sandbox',
  round(f * (120 + (q * 37 + k * 11) % 90), 2), 300 + (q * 13 + k * 7) % 200, 20000 + (q * 1009 + k * 331) % 9000, 400 + (q + k) % 50,
  10 + (q * 3 + k) % 12, round(f * (150 + (q * 53 + k * 17) % 260), 2), 0.03, 0.2, ${now} FROM ch, c, d;
WITH RECURSIVE ${days}
INSERT INTO ad_sync_runs (id, project_id, trigger, status, since, until, results, rows, queued_at, started_at, finished_at)
SELECT printf('run_bench%03d', k), '${p}', 'cron', CASE WHEN k % 17 = 5 THEN 'failed' ELSE 'succeeded' END,
  date('${firstDay}', '+' || k || ' days', '-3 days'), date('${firstDay}', '+' || k || ' days'), '[]', ${4 * DASHBOARD.ads.campaigns * 4},
  ${start} + k * ${dayMs}, ${start} + k * ${dayMs} + 1000, ${start} + k * ${dayMs} + 5000 FROM d;
`;
}

/** Seeds the dashboard's project into the local D1 at `tmpDir`; returns the session cookie. */
async function seedDashboard(tmpDir) {
  const refreshToken = `pbr_${randomToken(43)}`;
  const sql = dashboardSeedSql({
    refreshDigest: createHash("sha256").update(refreshToken).digest("hex"),
    now: Date.now(),
  });
  const file = path.join(tmpDir, "dashboard-seed.sql");
  writeFileSync(file, sql);
  const t = performance.now();
  const r = await runCommand(
    WRANGLER,
    ["d1", "execute", "DB", "--local", "--persist-to", tmpDir, "--file", file, "--yes"],
    { timeoutMs: 300_000 },
  );
  if (r.code !== 0)
    throw new StartError(`seeding the dashboard's project failed (code ${r.code}):\n${r.out.trim()}`);
  return { cookie: `__Host-pb_session=${refreshToken}`, seconds: (performance.now() - t) / 1000 };
}

/**
 * Requests one page `samples` times, one at a time, after two warm-ups; reports wall-time
 * percentiles and the Worker workerd's CPU per request (its /proc ticks over the whole series:
 * the Worker's code and the local D1 it runs, i.e. the server part of the page).
 */
async function measurePage({ host, port, pgid, cookie, samples, paths, check }) {
  const headers = { cookie, accept: "text/html" };
  const get = (p) => request(controlAgent, { host, port, method: "GET", path: p, headers });
  for (let i = 0; i < 2; i++) {
    const warm = await get(paths(i));
    const problem = warm.status === 200 ? check(warm.body) : `HTTP ${warm.status}`;
    if (problem) throw new Error(`GET ${paths(i)}: ${problem}\n${String(warm.body).slice(0, 500)}`);
  }
  const a = cpuSnapshot(pgid);
  const times = [];
  let errors = 0;
  for (let i = 0; i < samples; i++) {
    const r = await get(paths(i + 2));
    if (r.status !== 200 || check(r.body)) errors++;
    times.push(r.ms);
  }
  const b = cpuSnapshot(pgid);
  const sorted = [...times].sort((x, y) => x - y);
  const restarted = !a.group || !b.group || a.group.workerPids !== b.group.workerPids;
  const workerCpuMs = restarted
    ? Number.NaN
    : ((b.group.worker - a.group.worker) * (1000 / CLK_TCK)) / samples;
  return {
    samples,
    errors,
    p50_ms: round(percentile(sorted, 0.5), 1),
    p95_ms: round(percentile(sorted, 0.95), 1),
    worker_cpu_ms_per_page: round(workerCpuMs, 1),
  };
}

async function dashboardPhase({ host, port, pgid, seed, opts }) {
  const samples = opts.quick ? DASHBOARD.samples.quick : DASHBOARD.samples.full;
  const base = `/app/p/${DASHBOARD.projectId}`;
  const list = await measurePage({
    host,
    port,
    pgid,
    cookie: seed.cookie,
    samples,
    paths: () => `${base}/experiments`,
    check: (html) =>
      (html.match(/experiments\/exp_bench\d{4}"/g) ?? []).length === 25 ? null : "not 25 rows",
  });
  const page = await measurePage({
    host,
    port,
    pgid,
    cookie: seed.cookie,
    samples,
    // A different experiment each time: no page is answered from a warm row cache alone.
    paths: (i) => `${base}/experiments/exp_bench${String((i * 37) % DASHBOARD.experiments).padStart(4, "0")}`,
    check: (html) =>
      html.includes("P(best)") && (html.match(/data-chart=/g) ?? []).length >= 2
        ? null
        : "no variants or charts",
  });
  // Home scans up to 1,000 experiments for what needs attention, and the push and ad signals.
  const home = await measurePage({
    host,
    port,
    pgid,
    cookie: seed.cookie,
    samples,
    paths: () => base,
    check: (html) => (html.includes("What needs attention") ? null : "no home page"),
  });
  const push = await measurePage({
    host,
    port,
    pgid,
    cookie: seed.cookie,
    samples,
    paths: () => `${base}/push`,
    check: (html) => ((html.match(/data-chart=/g) ?? []).length >= 2 ? null : "no push charts"),
  });
  const ads = await measurePage({
    host,
    port,
    pgid,
    cookie: seed.cookie,
    samples,
    paths: () => `${base}/ads`,
    check: (html) => ((html.match(/data-chart=/g) ?? []).length >= 2 ? null : "no ad charts"),
  });
  // A page with no project data (the new-project form): what the session, the project switcher
  // and the layout cost on their own.
  const baseline = await measurePage({
    host,
    port,
    pgid,
    cookie: seed.cookie,
    samples,
    paths: () => "/app/projects/new",
    check: (html) => (html.includes("New project") ? null : "no form"),
  });
  return {
    seed_seconds: round(seed.seconds, 1),
    experiments_list: list,
    experiment_page: page,
    home,
    push_page: push,
    ads_page: ads,
    baseline,
  };
}

// ---------------------------------------------------------------------------------------------
// Phase e: one Web Push broadcast to the fake push service

const BROADCAST_PAYLOAD = { title: "Bench broadcast", body: "One message to every subscription" };
const BROADCAST_TIMEOUT_MS = 180_000;
// No new delivery and no change in the Worker's counts for this long ends the wait early.
const BROADCAST_STALL_MS = 30_000;

/** A process's CPU time in ms (from /proc), or NaN. */
function procCpuMs(pid) {
  const s = procCpuTicks(pid);
  return s ? s.ticks * (1000 / CLK_TCK) : Number.NaN;
}

/** cpuUsage plus the fake push service's share (100% = one core). */
function broadcastCpu(a, b) {
  return { ...cpuUsage(a, b), push_service_cpu_pct: (100 * (b.push - a.push)) / (b.t - a.t) };
}

/** What capped the deliveries, from the CPU figures while they flowed. */
function broadcastLimitedBy(c) {
  if (!c || !Number.isFinite(c.worker_workerd_cpu_pct)) return "n/a";
  if (c.worker_workerd_cpu_pct >= 90) return "Worker's workerd thread (one core)";
  if (c.push_service_cpu_pct >= 90) return "fake push service (one core: decrypt + verify)";
  if (c.machine_busy_pct >= 80) return "machine CPU (all cores busy)";
  return "latency / queue pacing (no CPU saturated)";
}

/**
 * Subscribes `opts.subscribers` fake browsers, broadcasts once and waits for every delivery.
 * Deliveries/s runs from the broadcast's 202 to the moment the fake push service accepted the
 * last message (its own timestamps); every message must decrypt and carry a valid VAPID JWT.
 */
async function broadcastPhase({ host, port, apiKey, pgid, opts, api }) {
  const n = opts.subscribers;
  const push = await startPushService();
  const pushUrl = new URL(push.baseUrl);
  const pushAgent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const workerAgent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const fake = makeApi(pushUrl.hostname, Number(pushUrl.port), null, pushAgent);
  const subscribeApi = makeApi(host, port, apiKey, workerAgent);
  console.log(
    `  fake push service on ${push.baseUrl} (pid ${push.pid}, decrypts and verifies every message)`,
  );
  const out = { subscribers_requested: n };
  try {
    const reset = await fake("POST", "/_control/reset");
    if (reset.status !== 200) throw new Error(`fake push service reset: HTTP ${reset.status} ${reset.text}`);
    // The first subscription would create the project's VAPID key, and 32 concurrent first ones
    // would each make one; asking for the public key creates it once.
    const key = await api("GET", "/v1/push/vapid-public-key");
    if (key.status !== 200) {
      throw new Error(`GET /v1/push/vapid-public-key: HTTP ${key.status} ${key.text?.slice(0, 300)}`);
    }

    const tFake = performance.now();
    const fakes = new Array(n);
    await pool(n, opts.concurrency, async (i) => {
      const r = await fake("POST", "/_control/subscriptions", {});
      if (r.status !== 201 || typeof r.json?.endpoint !== "string") {
        throw new Error(`fake push service subscriber: HTTP ${r.status} ${r.text?.slice(0, 300)}`);
      }
      fakes[i] = r.json;
    });
    const fakeSeconds = (performance.now() - tFake) / 1000;

    const subscribed = new Set();
    const subLatencies = [];
    const subErrors = new Map();
    const tSub = performance.now();
    await pool(n, opts.concurrency, async (i) => {
      const f = fakes[i];
      const r = await subscribeApi("POST", "/v1/subscriptions", { endpoint: f.endpoint, keys: f.keys });
      if (r.status === 201) {
        subscribed.add(f.id);
        subLatencies.push(r.ms);
        return;
      }
      const kind = r.error
        ? `socket: ${r.error.code ?? r.error.message}`
        : `HTTP ${r.status} ${r.json?.error?.code ?? ""}`.trim();
      const e = subErrors.get(kind) ?? { count: 0, sample: r.text?.slice(0, 300) };
      e.count++;
      subErrors.set(kind, e);
    });
    const subSeconds = (performance.now() - tSub) / 1000;
    const subSorted = Float64Array.from(subLatencies).sort();
    const recipientsExpected = subscribed.size;
    out.subscribe = {
      fake_subscribers_seconds: fakeSeconds,
      requests: n,
      created: recipientsExpected,
      errors: n - recipientsExpected,
      error_ratio: (n - recipientsExpected) / n,
      seconds: subSeconds,
      per_s: recipientsExpected / subSeconds,
      p50_ms: percentile(subSorted, 0.5),
      p99_ms: percentile(subSorted, 0.99),
      error_kinds: [...subErrors].map(([kind, v]) => ({ kind, count: v.count, sample: v.sample })),
    };
    console.log(
      `  ${fmtInt(n)} fake subscribers in ${fakeSeconds.toFixed(1)} s; POST /v1/subscriptions: ` +
        `${fmtInt(recipientsExpected)} × 201 in ${subSeconds.toFixed(1)} s (${fmtInt(out.subscribe.per_s)}/s, ` +
        `p50 ${fmtMs(out.subscribe.p50_ms)} ms, p99 ${fmtMs(out.subscribe.p99_ms)} ms), ${out.subscribe.errors} errors`,
    );
    for (const e of out.subscribe.error_kinds) {
      console.log(`    ${e.count} × ${e.kind}${e.sample ? `\n      e.g. ${e.sample}` : ""}`);
    }
    if (recipientsExpected === 0)
      throw new Error("no subscription was accepted, so there is nobody to broadcast to");

    // A moment for the subscribe traffic's tail (waitUntil work) so the window holds the broadcast only.
    await sleep(1_000);
    const snap = () => ({ ...cpuSnapshot(pgid), push: procCpuMs(push.pid) });
    const start = snap();
    const sent = await api("POST", "/v1/notifications/broadcast", { payload: BROADCAST_PAYLOAD });
    const acceptedEpoch = Date.now();
    const acceptedAt = performance.now();
    if (sent.status !== 202 || typeof sent.json?.notification_id !== "string") {
      throw new Error(`POST /v1/notifications/broadcast: HTTP ${sent.status} ${sent.text?.slice(0, 500)}`);
    }
    const notificationId = sent.json.notification_id;

    // The fake's counters are polled often (another process, cheap); the Worker's rarely until
    // everything arrived, since each answer counts the deliveries in D1 on the measured thread.
    let fakeStats = null;
    let view = null;
    let firstSnap = null; // when the fake first reported a delivery
    let allSnap = null; // when it reported them all
    let doneAt = Number.NaN;
    let nextWorkerPoll = acceptedAt + 1_000;
    const deadline = acceptedAt + BROADCAST_TIMEOUT_MS;
    let progress = "";
    let progressAt = acceptedAt;
    let stalled = false;
    while (true) {
      const s = await fake("GET", "/_control/stats");
      if (s.status === 200 && s.json) fakeStats = s.json;
      const arrived = (fakeStats?.deliveries ?? 0) + (fakeStats?.failures ?? 0);
      if (arrived > 0 && !firstSnap) firstSnap = snap();
      if (arrived >= recipientsExpected && !allSnap) allSnap = snap();
      const t = performance.now();
      if (t >= nextWorkerPoll || allSnap) {
        const v = await api("GET", `/v1/notifications/${notificationId}`);
        if (v.status === 200 && v.json) view = v.json;
        nextWorkerPoll = performance.now() + 1_000;
        if (view && view.recipients !== null && view.deliveries?.pending === 0) {
          doneAt = performance.now();
          break;
        }
      }
      const now = `${arrived}|${view?.recipients}|${JSON.stringify(view?.deliveries ?? null)}`;
      if (now !== progress) {
        progress = now;
        progressAt = t;
      }
      if (t - progressAt >= BROADCAST_STALL_MS) {
        stalled = true;
        break;
      }
      if (t >= deadline) break;
      if (state.pushService.exitCode !== null || state.pushService.signalCode !== null) {
        throw new Error("the fake push service exited mid-phase");
      }
      await sleep(allSnap ? 250 : 100);
    }
    const end = snap();
    const reached = Number.isFinite(doneAt);

    const listed = await fake("GET", "/_control/deliveries");
    const deliveries = listed.json?.deliveries ?? [];
    const failures = listed.json?.failures ?? [];
    let firstAt = Number.POSITIVE_INFINITY;
    let lastAt = Number.NEGATIVE_INFINITY;
    const seen = new Set();
    let duplicates = 0;
    let strangers = 0;
    let badPayloads = 0;
    let firstBadPayload = null;
    for (const d of deliveries) {
      firstAt = Math.min(firstAt, d.at);
      lastAt = Math.max(lastAt, d.at);
      if (!subscribed.has(d.id)) strangers++;
      else if (seen.has(d.id)) duplicates++;
      else seen.add(d.id);
      let p = null;
      try {
        p = JSON.parse(d.payload);
      } catch {
        // counted below
      }
      const ok =
        p?.notification_id === notificationId &&
        p.title === BROADCAST_PAYLOAD.title &&
        p.body === BROADCAST_PAYLOAD.body &&
        typeof p.delivery_id === "string";
      if (!ok) {
        badPayloads++;
        firstBadPayload ??= String(d.payload).slice(0, 300);
      }
    }

    const counts = view?.deliveries ?? {};
    const recipients = view?.recipients ?? null;
    const sentCount = counts.sent ?? 0;
    const spanSeconds = (lastAt - acceptedEpoch) / 1000;
    const deliveriesPerSec = deliveries.length > 0 ? sentCount / spanSeconds : Number.NaN;
    const steadyPerSec =
      deliveries.length > 1 ? (deliveries.length - 1) / ((lastAt - firstAt) / 1000) : Number.NaN;
    const verified =
      reached &&
      recipients === recipientsExpected &&
      sentCount === recipients &&
      deliveries.length === recipients &&
      seen.size === recipients &&
      failures.length === 0 &&
      duplicates === 0 &&
      strangers === 0 &&
      badPayloads === 0;

    const cpuAll = broadcastCpu(start, end);
    // While deliveries flowed; the whole window also holds the queue's batch timeout and the tail.
    const cpuFlow =
      firstSnap && allSnap && allSnap.t - firstSnap.t >= 500 ? broadcastCpu(firstSnap, allSnap) : cpuAll;
    const groupMs = (k) =>
      start.group && end.group && !cpuAll.worker_restarted
        ? (end.group[k] - start.group[k]) * (1000 / CLK_TCK)
        : Number.NaN;
    const perDelivery = (ms) => (sentCount > 0 ? (1000 * ms) / sentCount : Number.NaN);
    const workerCpuMs = groupMs("worker");
    Object.assign(out, {
      notification_id: notificationId,
      estimated_recipients: sent.json.estimated_recipients ?? null,
      recipients,
      reached,
      stalled,
      delivery_counts: counts,
      sent: sentCount,
      first_delivery_after_s: deliveries.length > 0 ? (firstAt - acceptedEpoch) / 1000 : null,
      last_delivery_after_s: deliveries.length > 0 ? spanSeconds : null,
      pending_zero_after_s: reached ? (doneAt - acceptedAt) / 1000 : null,
      deliveries_per_s: deliveriesPerSec,
      deliveries_per_s_first_to_last: steadyPerSec,
      fake_push_service: {
        received: deliveries.length,
        decrypted_and_verified: deliveries.length,
        distinct_subscribers: seen.size,
        failures: failures.length,
        first_failures: failures.slice(0, 5),
        duplicates,
        unknown_subscribers: strangers,
        bad_payloads: badPayloads,
        first_bad_payload: firstBadPayload,
        by_status: fakeStats?.byStatus ?? null,
      },
      verified,
      window_s: (end.t - start.t) / 1000,
      worker_cpu_ms: workerCpuMs,
      worker_cpu_us_per_delivery: perDelivery(workerCpuMs),
      proxy_cpu_us_per_delivery: perDelivery(groupMs("proxy")),
      wrangler_cpu_us_per_delivery: perDelivery(groupMs("other")),
      push_service_cpu_us_per_delivery: perDelivery(end.push - start.push),
      cpu: cpuFlow,
      cpu_whole_window: cpuAll,
      limited_by: broadcastLimitedBy(cpuFlow),
    });
  } finally {
    pushAgent.destroy();
    workerAgent.destroy();
    await stopPushService();
  }

  // The same library in Node, with the fake push service stopped and the Worker idle.
  const enc = await runCommand(process.execPath, [
    ...TS_LOADER,
    "scripts/bench-push-encrypt.ts",
    "--messages",
    String(ENCRYPT_BENCH_MESSAGES),
  ]);
  const line = enc.out
    .trim()
    .split("\n")
    .findLast((l) => l.startsWith("{"));
  try {
    out.node_encrypt = enc.code === 0 && line ? JSON.parse(line) : null;
  } catch {
    out.node_encrypt = null;
  }
  if (!out.node_encrypt) out.node_encrypt_error = enc.out.trim().slice(-1_000);

  const f = out.fake_push_service;
  console.log(
    `  broadcast ${out.notification_id}: 202, ${fmtInt(out.recipients)} recipients; ` +
      (f.received > 0
        ? `first delivery after ${out.first_delivery_after_s.toFixed(2)} s, last after ${out.last_delivery_after_s.toFixed(2)} s, `
        : "no delivery arrived, ") +
      (out.reached
        ? `none pending after ${out.pending_zero_after_s.toFixed(2)} s`
        : `${out.stalled ? "STALLED" : "TIMEOUT"}: ${fmtInt(out.delivery_counts.pending)} still pending after ${out.window_s.toFixed(0)} s ` +
          "(the Worker's errors are in the wrangler output below and .bench/wrangler.log)"),
  );
  if (f.received > 0) {
    console.log(
      `  deliveries/s: ${fmtInt(out.deliveries_per_s)} (${fmtInt(out.sent)} sent / ${out.last_delivery_after_s.toFixed(2)} s ` +
        `from the 202 to the last delivery accepted); ${fmtInt(out.deliveries_per_s_first_to_last)}/s from first to last delivery`,
    );
  }
  console.log(
    `  fake push service: ${fmtInt(f.received)} received, decrypted and VAPID-verified from ${fmtInt(f.distinct_subscribers)} ` +
      `distinct subscribers, ${f.failures} failures` +
      (out.verified ? " — matches the recipients" : "  ! MISMATCH") +
      ` (Worker counts: ${["sent", "failed", "expired", "pending"].map((k) => `${k} ${fmtInt(out.delivery_counts[k])}`).join(", ")})`,
  );
  if (!out.verified) {
    if (f.duplicates || f.unknown_subscribers) {
      console.log(
        `  ! ${f.duplicates} duplicate deliveries, ${f.unknown_subscribers} to unknown subscribers`,
      );
    }
    if (f.bad_payloads)
      console.log(`  ! ${f.bad_payloads} payloads not as broadcast, e.g. ${f.first_bad_payload}`);
    for (const x of f.first_failures) console.log(`  ! refused: HTTP ${x.status} ${x.reason}`);
  }
  console.log(
    `  Worker CPU per delivery (workerd, incl. fetch + D1): ${fmtInt(out.worker_cpu_us_per_delivery)} µs ` +
      `(${fmtInt(out.worker_cpu_ms)} ms over ${out.window_s.toFixed(1)} s, the whole broadcast)`,
  );
  const e = out.node_encrypt;
  console.log(
    e
      ? `  encrypt+sign per message (Node, same library): ${fmtInt(e.cpu_us_per_message)} µs CPU ` +
          `(${fmtInt(e.messages)} messages, ${fmtInt(e.messages_per_cpu_second)}/CPU-s; VAPID JWT signed once and cached, as in a broadcast; ` +
          `Node ${e.node}, OpenSSL ${e.openssl}; the subscriber-key check alone ${fmtInt(e.key_check_cpu_us_per_message)} µs)`
      : `  ! encrypt+sign micro-benchmark failed:\n${out.node_encrypt_error}`,
  );
  console.log(
    `  fake push service CPU: ${fmtPct(out.cpu.push_service_cpu_pct)} of a core while deliveries flowed, ` +
      `${fmtInt(out.push_service_cpu_us_per_delivery)} µs per delivery (decrypt + VAPID verify, not the Worker's cost)`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

/**
 * Phase g in a Node process of its own (scripts/bench/email.ts, TypeScript through the repo's
 * loader, on the pinned Node 22): it starts its own local Worker and the Resend stub.
 */
function runEmailPhase() {
  return new Promise((resolve) => {
    const out = path.join(os.tmpdir(), `pushbunny-bench-email-${process.pid}.json`);
    const child = spawn(
      path.join(ROOT, "node_modules", ".bin", "node"),
      [...TS_LOADER, "scripts/bench/email.ts", "--json", out],
      { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
    );
    child.on("close", (code) => {
      let result = null;
      try {
        result = JSON.parse(readFileSync(out, "utf8"));
        rmSync(out, { force: true });
      } catch {
        // no result file: the phase failed and said why on stderr
      }
      resolve(result ?? { error: `scripts/bench/email.ts exited with code ${code}` });
    });
  });
}

/** One line per email target; true when both were met. */
function reportEmail(e) {
  if (!e || e.error) {
    console.log(`email: ${e?.error ?? "no result"}`);
    return false;
  }
  const i = e.import;
  const c = e.campaign;
  console.log(
    `CSV import ${fmtInt(i.rows)} rows             ${i.seconds} s${i.stalled ? " (STALLED: rest seeded through D1)" : ""}  (target < ${i.target_seconds} s)  ${i.ok ? "PASS" : "MISS"}`,
  );
  console.log(
    `campaign to ${fmtInt(c.recipients)} via stub    ${fmtInt(c.messages_per_s)} messages/s, Worker CPU ${fmtInt(c.worker_cpu_us_per_message)} µs/message  (target ≥ ${fmtInt(c.target_messages_per_s)}/s)  ${c.ok ? "PASS" : "MISS"}`,
  );
  return i.ok && c.ok;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--")));
  if (opts.emailOnly) {
    console.log("PushBunny Edge bench — g. email");
    const email = await runEmailPhase();
    reportEmail(email);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(
      path.join(OUT_DIR, "results.json"),
      `${JSON.stringify({ started_at: new Date().toISOString(), phases: { email } }, jsonReplacer, 2)}\n`,
    );
    return email.error ? 1 : 0;
  }
  state.keep = opts.keep;
  const durationMs = opts.duration * 1000;
  const warmupMs = opts.warmup * 1000;
  const host = "127.0.0.1";

  const wranglerPkg = readJson(path.join(ROOT, "node_modules", "wrangler", "package.json"));
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? "unknown",
    mem_gb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: wranglerPkg?.version ?? "unknown",
    loadavg_at_start: os.loadavg().map((n) => round(n, 2)),
  };
  console.log("PushBunny Edge bench");
  console.log(
    `  machine: ${machine.cpus} × ${machine.cpu_model}, ${machine.mem_gb} GiB, ${machine.platform}, load avg ${machine.loadavg_at_start.join(" ")}`,
  );
  console.log(`  node ${machine.node}, wrangler ${machine.wrangler}`);
  console.log(
    `  phases: ${opts.duration} s measured after ${opts.warmup} s warm-up, concurrency ${opts.concurrency}, keep-alive node:http client in this process`,
  );
  // The load average lags (it still shows the previous run); one second of /proc/stat does not.
  const idle0 = machineCpu();
  await sleep(1_000);
  const idle1 = machineCpu();
  if (idle0 && idle1 && idle1.total > idle0.total) {
    const busy =
      (100 * (idle1.total - idle0.total - (idle1.idle - idle0.idle))) / (idle1.total - idle0.total);
    machine.busy_pct_before_start = round(busy, 1);
    if (busy > 20) {
      console.log(
        `  ! other processes keep ${Math.round(busy)}% of the machine's CPU busy; absolute numbers will be lower, ratios are still side by side`,
      );
    }
  }

  const [port, inspectorPort] = opts.port
    ? [opts.port, await freePort()]
    : await Promise.all([freePort(), freePort()]).then(async ([a, b]) =>
        a === b ? [a, await freePort()] : [a, b],
      );
  if (opts.port && !(await portIsFree(opts.port))) {
    throw new StartError(`port ${opts.port} is already in use on 127.0.0.1; pick another --port or omit it`);
  }
  const apiKey = `pb_bench_${randomToken(24)}`;
  const trackingSecret = randomToken(32);
  state.tmpDir = mkdtempSync(path.join(os.tmpdir(), "pushbunny-bench-"));
  const base = `http://${host}:${port}`;
  state.port = port;
  console.log(`  state: ${state.tmpDir}${opts.keep ? " (kept)" : ""}`);

  // 1. Migrations, then wrangler dev on the same state.
  const tMig = performance.now();
  const mig = await runCommand(WRANGLER, [
    "d1",
    "migrations",
    "apply",
    "DB",
    "--local",
    "--persist-to",
    state.tmpDir,
  ]);
  if (mig.code !== 0) {
    throw new StartError(`wrangler d1 migrations apply failed (code ${mig.code}):\n${mig.out.trim()}`);
  }
  console.log(`  migrations applied in ${((performance.now() - tMig) / 1000).toFixed(1)} s`);
  const dashboardSeed = await seedDashboard(state.tmpDir);
  console.log(
    `  dashboard project seeded (${fmtInt(DASHBOARD.experiments)} experiments, ${DASHBOARD.days} days) in ${dashboardSeed.seconds.toFixed(1)} s`,
  );

  const tStart = performance.now();
  const child = startWrangler({ port, inspectorPort, tmpDir: state.tmpDir, apiKey, trackingSecret });
  try {
    await waitForHealth(base, 60_000);
  } catch (err) {
    throw new StartError(err.message);
  }
  const pgid = child.pid;
  console.log(`  wrangler dev up on ${base} in ${((performance.now() - tStart) / 1000).toFixed(1)} s\n`);

  const api = makeApi(host, port, apiKey);
  const authHeader = `Bearer ${apiKey}`;
  const load = (o) =>
    runLoad({ host, port, concurrency: opts.concurrency, warmupMs, durationMs, pgid, ...o });
  const results = {
    started_at: new Date().toISOString(),
    machine,
    options: {
      duration_s: opts.duration,
      warmup_s: opts.warmup,
      concurrency: opts.concurrency,
      port,
      quick: opts.quick,
      events_per_request: EVENTS_PER_REQUEST,
      broadcast_subscribers: opts.subscribers,
    },
    targets: TARGETS,
    phases: {},
    notes: [],
  };

  if (opts.dashboardOnly) {
    console.log("f. dashboard pages");
    const dashboard = await dashboardPhase({ host, port, pgid, seed: dashboardSeed, opts });
    results.phases.dashboard = dashboard;
    const ok = reportDashboard(dashboard);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(path.join(OUT_DIR, "results.json"), `${JSON.stringify(results, jsonReplacer, 2)}\n`);
    return ok ? 0 : 2;
  }

  // ----- a. GET /health
  console.log("a. GET /health");
  const healthHeaders = {};
  const health = await load({
    next: () => ({ method: "GET", path: "/health", headers: healthHeaders }),
    onResponse: () => null,
  });
  console.log(phaseLine("GET /health", health));
  reportErrors("GET /health", health);
  results.phases.health = health;

  // ----- b. warm POST /v1/message
  console.log("b. POST /v1/message (warm)");
  let messageOk = 0;
  const setup = await api("POST", "/v1/message", {
    intent_id: INTENT,
    base_example: BASE_EXAMPLE,
    user_id: "u_setup",
  });
  if (setup.status !== 200 || !setup.json?.tracking_token) {
    throw new Error(`setup POST /v1/message failed: HTTP ${setup.status} ${setup.text?.slice(0, 500)}`);
  }
  messageOk++;
  const tokens = [setup.json.tracking_token];
  const tChallengers = performance.now();
  const challengers = await pollStats(api, {
    done: (s) => s.variants >= 4,
    timeoutMs: 30_000,
    watch: (s) => s.variants,
  });
  if (!challengers.reached) {
    throw new Error(
      `challengers did not appear within 30 s (variants: ${challengers.stats?.variants ?? "stats unavailable"}); wrangler output:\n${logTail()}`,
    );
  }
  console.log(
    `  experiment created, ${challengers.stats.variants} variants after ${((challengers.at - tChallengers) / 1000).toFixed(1)} s`,
  );
  // Caches (KV pool, isolate pool, rotation leaser) get at least 2 s of warm traffic before the
  // window opens; warm-up responses count toward the expected impressions too.
  const messageWarmupMs = Math.max(warmupMs, 2_000);
  let userN = 0;
  const messageHeaders = { authorization: authHeader, "content-type": "application/json" };
  let messageBadBody = 0;
  const messageNext = () => {
    const body = `{"intent_id":"${INTENT}","base_example":"${BASE_EXAMPLE}","user_id":"u${userN++}"}`;
    return {
      method: "POST",
      path: "/v1/message",
      headers: { ...messageHeaders, "content-length": Buffer.byteLength(body) },
      body,
    };
  };
  const messageOnResponse = ({ status, body, failed }) => {
    if (failed) return null;
    let token;
    try {
      token = JSON.parse(body).tracking_token;
    } catch {
      // checked below
    }
    if (typeof token !== "string") {
      messageBadBody++;
      return "200 without a tracking_token";
    }
    if (status === 200) messageOk++;
    if (tokens.length < MAX_TOKENS) tokens.push(token);
    return null;
  };
  const message = await runLoad({
    host,
    port,
    concurrency: opts.concurrency,
    warmupMs: messageWarmupMs,
    durationMs,
    pgid,
    next: messageNext,
    onResponse: messageOnResponse,
  });
  const ratio = message.rps / health.rps;
  console.log(phaseLine("POST /v1/message", message, `, ${ratio.toFixed(2)}x /health`));
  reportErrors("POST /v1/message", message);
  const expectedImpressions = messageOk;
  results.phases.message = {
    ...message,
    ratio_vs_health: ratio,
    responses_200_total: messageOk,
    tokens_kept: tokens.length,
  };
  if (messageBadBody) results.notes.push(`${messageBadBody} /v1/message 200s had no tracking_token`);

  // Let the impression backlog (one queue message per /v1/message) drain before measuring the
  // events consumer, so phase d measures events, not leftover impressions.
  const impStart = performance.now();
  const impAtEnd = await getStats(api);
  const impDrain = await pollStats(api, {
    done: (s) => s.impressions >= expectedImpressions,
    timeoutMs: 120_000,
    watch: (s) => s.impressions,
  });
  const impWritten = (impDrain.stats?.impressions ?? 0) - (impAtEnd?.impressions ?? 0);
  const impSeconds = ((impDrain.reached ? impDrain.at : impDrain.lastChangeAt) - impStart) / 1000;
  results.phases.impressions_drain = {
    expected: expectedImpressions,
    at_message_end: impAtEnd?.impressions ?? null,
    reached: impDrain.reached,
    final: impDrain.stats?.impressions ?? null,
    seconds_after_message_end: impSeconds,
    rate_per_s_after_message_end: impSeconds > 0 ? impWritten / impSeconds : null,
  };
  console.log(
    `  impressions in D1: ${fmtInt(impAtEnd?.impressions)} when the phase ended, ` +
      (impDrain.reached
        ? `all ${fmtInt(expectedImpressions)} after ${impSeconds.toFixed(1)} s more (~${fmtInt(impWritten / Math.max(impSeconds, 0.25))}/s)`
        : `only ${fmtInt(impDrain.stats?.impressions)} of ${fmtInt(expectedImpressions)} after 120 s — continuing`),
  );

  // ----- c. POST /v1/events, 100 per request
  console.log(`c. POST /v1/events (${EVENTS_PER_REQUEST}/req)`);
  // Event k is (token ⌊k/2⌋, opened|conversion): every token gets both types before the next.
  // Phase b's tokens come first. When they run out, the bench mints more with the
  // TRACKING_SECRET it gave the Worker (same experiment and variants), so every event stays a
  // distinct (impression, type) pair and phase d sees all the consumer's work; the consumer
  // then also creates those tokens' impressions (implied from the token). --real-tokens-only
  // cycles phase b's tokens instead, and repeats are deduplicated by the consumer, invisibly.
  const before = await getStats(api);
  const eventsBase = before?.events ?? 0;
  const nReal = tokens.length;
  const [, projectId, experimentId] = tokens[0].split(".");
  const variantIds = (challengers.stats.raw.variants ?? [])
    .filter((v) => v.experiment_id === experimentId && v.status === "active")
    .map((v) => v.variant_id);
  let mintedCount = 0;
  const mintToken = () => {
    const variantId = variantIds[mintedCount++ % variantIds.length];
    // The Worker's format (newTimeId in packages/core): serve time in base 36, then 80 random bits.
    const impressionId = `imp_${Date.now().toString(36).padStart(9, "0")}${randomBytes(10).toString("hex")}`;
    const body = ["v1", projectId, experimentId, variantId, impressionId, Date.now().toString(36)].join(".");
    const sig = createHmac("sha256", trackingSecret)
      .update(body)
      .digest()
      .subarray(0, 16)
      .toString("base64url");
    return `trk_${body}.${sig}`;
  };
  let mint = !opts.realTokensOnly && variantIds.length > 0;
  if (mint) {
    // One probe event proves the minted format verifies; it counts like any phase c event.
    const probe = await api("POST", "/v1/events", [
      { type: "opened", tracking_token: mintToken(), timestamp: Date.now() },
    ]);
    if (probe.status !== 200 || probe.json?.recorded !== 1) {
      mint = false;
      const why = probe.json?.rejected?.[0]?.reason ?? `HTTP ${probe.status} ${probe.text?.slice(0, 200)}`;
      const note = `minted tracking tokens were refused (${why}); phase c reuses phase b's ${nReal} tokens`;
      results.notes.push(note);
      console.log(`  ! ${note}`);
    }
  }
  const probeEvents = mint ? 1 : 0; // the probe's pair: one opened event of one minted token
  const acceptedPairs = { bits: new Uint8Array(1 << 16) };
  const markPair = (key) => {
    if (key >= acceptedPairs.bits.length) {
      let size = acceptedPairs.bits.length;
      while (size <= key) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(acceptedPairs.bits);
      acceptedPairs.bits = grown;
    }
    if (acceptedPairs.bits[key] === 1) return false;
    acceptedPairs.bits[key] = 1;
    return true;
  };
  let uniqueAccepted = probeEvents;
  let mintedImpressions = probeEvents; // minted tokens with an accepted event → implied impressions
  let acceptedTotal = probeEvents;
  let acceptedInWindow = 0;
  let rejectedTotal = 0;
  let firstRejection = null;
  let eventCursor = 0;
  const eventsHeaders = { authorization: authHeader, "content-type": "application/json" };
  const TYPES = ["opened", "conversion"];
  const realPairs = nReal * 2;
  // Minting costs the client an HMAC per token. Done inline it would sit on the client's one
  // thread between responses and slow the very requests being measured, so a pool is minted
  // before the phase (enough for PREMINT_EVENTS events); past it, tokens are minted as needed.
  if (mint) {
    const tMint = performance.now();
    while (tokens.length < nReal + PREMINT_EVENTS / 2) tokens.push(mintToken());
    console.log(
      `  minted ${fmtInt(tokens.length - nReal)} tokens before the phase in ${((performance.now() - tMint) / 1000).toFixed(1)} s`,
    );
  }
  const tokenFor = (idx) => {
    while (idx >= tokens.length) tokens.push(mintToken());
    return tokens[idx];
  };
  const eventsNext = () => {
    const pairs = new Int32Array(EVENTS_PER_REQUEST);
    const now = Date.now();
    let body = "[";
    for (let i = 0; i < EVENTS_PER_REQUEST; i++) {
      const k = eventCursor++;
      const key = mint ? k : k % realPairs;
      pairs[i] = key;
      if (i > 0) body += ",";
      body += `{"type":"${TYPES[key & 1]}","tracking_token":"${tokenFor(key >> 1)}","timestamp":${now}}`;
    }
    body += "]";
    return {
      method: "POST",
      path: "/v1/events",
      headers: { ...eventsHeaders, "content-length": Buffer.byteLength(body) },
      body,
      meta: pairs,
    };
  };
  const eventsOnResponse = ({ body, meta, phase, failed }) => {
    if (failed) return null;
    let r;
    try {
      r = JSON.parse(body);
    } catch {
      return "response is not JSON";
    }
    if (typeof r.recorded !== "number" || !Array.isArray(r.rejected)) return "unexpected response shape";
    const rejected = new Set();
    for (const x of r.rejected) {
      rejected.add(x.index);
      if (!firstRejection) firstRejection = x;
    }
    rejectedTotal += r.rejected.length;
    acceptedTotal += r.recorded;
    if (phase === "window") acceptedInWindow += r.recorded;
    for (let i = 0; i < meta.length; i++) {
      if (rejected.has(i)) continue;
      const key = meta[i];
      if (!markPair(key)) continue;
      uniqueAccepted++;
      // A minted token's first accepted event makes the consumer create its impression.
      if (key >> 1 >= nReal && acceptedPairs.bits[key ^ 1] === 0) mintedImpressions++;
    }
    return null;
  };
  const cStart = performance.now(); // ingest starts with the warm-up: those events count too
  const events = await load({ next: eventsNext, onResponse: eventsOnResponse });
  const cEnd = performance.now(); // last response of phase c
  const eventsPerSec = acceptedInWindow / events.seconds;
  console.log(
    phaseLine(
      "POST /v1/events",
      events,
      `, ${fmtInt(eventsPerSec)} events/s accepted (${fmtInt(acceptedInWindow / Math.max(events.ok, 1))} per request)`,
    ),
  );
  reportErrors("POST /v1/events", events);
  if (rejectedTotal > 0) {
    console.log(
      `  ! ${fmtInt(rejectedTotal)} events rejected; first: index ${firstRejection.index}: ${firstRejection.reason}`,
    );
  }
  const sent = eventCursor + probeEvents;
  // Tokens the phase really sent (the pre-minted pool may hold more), plus the probe's.
  const minted = mint ? Math.max(0, Math.ceil(eventCursor / 2) - nReal) + probeEvents : 0;
  if (mint) {
    console.log(
      `  tokens: ${fmtInt(nReal)} from phase b, ${fmtInt(minted)} minted by the bench; ${fmtInt(uniqueAccepted)} distinct events accepted`,
    );
  } else if (eventCursor > realPairs) {
    const note = `phase c sent ${sent} events over ${nReal} tokens (${realPairs} distinct pairs); the rest were repeats the consumer deduplicates, so phase d only sees ${realPairs} of them`;
    results.notes.push(note);
    console.log(`  note: ${note}`);
  }
  results.phases.events = {
    ...events,
    events_per_request: EVENTS_PER_REQUEST,
    events_per_s_accepted: eventsPerSec,
    accepted_in_window: acceptedInWindow,
    accepted_total_including_warmup_and_tail: acceptedTotal,
    unique_pairs_accepted: uniqueAccepted,
    rejected: rejectedTotal,
    first_rejection: firstRejection,
    tokens_from_message_phase: nReal,
    tokens_minted: minted,
    events_sent: sent,
  };

  // ----- d. consumer drain
  console.log("d. consumer drain (events queue → D1)");
  const atCEnd = await getStats(api);
  const writtenAtCEnd = (atCEnd?.events ?? eventsBase) - eventsBase;
  const target = eventsBase + uniqueAccepted;
  const drain = await pollStats(api, {
    done: (s) => s.events >= target,
    timeoutMs: 120_000,
    watch: (s) => s.events,
  });
  // Impressions should be complete by now (a minted token's impression is written in the same
  // batch as its events); give them a last look without holding the run up.
  const impressionsExpected = expectedImpressions + mintedImpressions;
  let finalStats = drain.stats;
  if (finalStats && finalStats.impressions < impressionsExpected) {
    const more = await pollStats(api, {
      done: (s) => s.impressions >= impressionsExpected,
      timeoutMs: 5_000,
      watch: (s) => s.impressions,
    });
    finalStats = more.stats ?? finalStats;
  }
  // Messages the consumer gave up on are parked in D1; /health?deep=1 counts them.
  const deep = await api("GET", "/health?deep=1");
  const deadLetters = typeof deep.json?.dead_letters === "number" ? deep.json.dead_letters : null;
  const written = (drain.stats?.events ?? eventsBase) - eventsBase;
  const reachedAt = drain.reached ? drain.at : drain.lastChangeAt;
  const conservativeRate = written / ((reachedAt - cStart) / 1000);
  const afterIngest = written - writtenAtCEnd;
  const afterSeconds = (reachedAt - cEnd) / 1000;
  // At most one consumer batch (max_batch_size messages of EVENTS_PER_REQUEST events) still
  // queued when ingest ends means the consumer kept up: that remainder just waits out
  // max_batch_timeout, so a rate computed from it measures the timeout, not the consumer.
  const backlogAtCEnd = uniqueAccepted - writtenAtCEnd;
  const keptUp = backlogAtCEnd <= CONSUMER_BATCH_MESSAGES * EVENTS_PER_REQUEST;
  const afterRate = afterSeconds > 0 && afterIngest > 0 ? afterIngest / afterSeconds : Number.NaN;
  results.phases.drain = {
    unique_pairs_accepted: uniqueAccepted,
    written_at_events_end: writtenAtCEnd,
    written_final: written,
    reached: drain.reached,
    seconds_from_events_start: (reachedAt - cStart) / 1000,
    seconds_after_events_end: afterSeconds,
    events_per_s_conservative: conservativeRate,
    events_per_s_after_ingest: Number.isFinite(afterRate) ? afterRate : null,
    backlog_at_events_end: backlogAtCEnd,
    consumer_kept_up_with_ingest: keptUp,
    impressions_final: finalStats?.impressions ?? null,
    impressions_expected: impressionsExpected,
    impressions_expected_from_messages: expectedImpressions,
    impressions_expected_from_minted_tokens: mintedImpressions,
    dead_letters: deadLetters,
    opens: finalStats?.opens ?? null,
    conversions: finalStats?.conversions ?? null,
  };
  console.log(
    `  ${fmtInt(writtenAtCEnd)} of ${fmtInt(uniqueAccepted)} unique events were in D1 when phase c ended; ` +
      (drain.reached
        ? `all after ${afterSeconds.toFixed(1)} s more`
        : `TIMEOUT: ${fmtInt(written)} after 120 s (${((100 * written) / Math.max(uniqueAccepted, 1)).toFixed(1)}%)`),
  );
  console.log(
    `  drain: ${fmtInt(conservativeRate)} events/s since phase c began (incl. ingest), ` +
      (keptUp
        ? `consumer kept up with ingest (${fmtInt(backlogAtCEnd)} left at its end, ≤ one consumer batch), so this is a lower bound`
        : `${fmtInt(afterRate)} events/s after ingest ended`),
  );
  console.log(
    `  impressions: ${fmtInt(finalStats?.impressions)} in D1, expected ${fmtInt(impressionsExpected)} ` +
      `(1 setup + ${fmtInt(expectedImpressions - 1)} /v1/message 200s` +
      (mintedImpressions > 0 ? ` + ${fmtInt(mintedImpressions)} minted tokens with events` : "") +
      ")" +
      (finalStats?.impressions === impressionsExpected ? "" : "  ! MISMATCH"),
  );
  if (!drain.reached) {
    console.log(
      `  ! ${fmtInt(uniqueAccepted - written)} accepted events never reached D1 within 120 s. Check .bench/wrangler.log ` +
        "for consumer errors; once in development the local queue (miniflare) stranded the final partial " +
        "batch with no error logged at all, and a rerun drained fully",
    );
  }
  if (deadLetters)
    console.log(`  ! ${fmtInt(deadLetters)} queue message(s) dead-lettered (see the dead_letters table)`);

  // ----- e. broadcast (Web Push)
  console.log(`e. broadcast (Web Push) to ${fmtInt(opts.subscribers)} subscriptions`);
  let broadcast;
  try {
    broadcast = await broadcastPhase({ host, port, apiKey, pgid, opts, api });
  } catch (err) {
    // The Worker dying fails the run; anything else fails this phase and a–d are still reported.
    if (state.childExited) throw err;
    console.log(`  ! phase e failed: ${err?.stack ?? err}`);
    broadcast = { error: String(err?.message ?? err), verified: false, limited_by: "n/a", cpu: null };
  }
  results.phases.broadcast = broadcast;

  // ----- f. dashboard pages
  console.log("f. dashboard pages");
  let dashboard;
  try {
    dashboard = await dashboardPhase({ host, port, pgid, seed: dashboardSeed, opts });
  } catch (err) {
    if (state.childExited) throw err;
    console.log(`  ! phase f failed: ${err?.stack ?? err}`);
    dashboard = { error: String(err?.message ?? err) };
  }
  results.phases.dashboard = dashboard;

  // ----- Report
  const pass = (ok) => (ok ? "PASS" : "MISS");
  const messagePass = ratio >= TARGETS.messageRatio;
  const eventsPass = eventsPerSec >= TARGETS.eventsPerSec;
  const drainPass = drain.reached && conservativeRate >= TARGETS.drainPerSec;
  // A consumer that kept up with a slower-than-target ingest was never pushed to the target.
  const drainVerdict = drainPass
    ? "PASS"
    : drain.reached && keptUp
      ? "INCONCLUSIVE (the consumer kept up, so it was never pushed to the target)"
      : "MISS";
  const broadcastPass = broadcast.verified && broadcast.deliveries_per_s >= TARGETS.broadcastDeliveriesPerSec;
  const broadcastVerdict = broadcastPass
    ? "PASS"
    : broadcast.verified
      ? "MISS"
      : broadcast.error
        ? "ERROR (see phase e above)"
        : "MISS (not every delivery arrived, decrypted and verified)";
  const flagged = [
    ["GET /health", health],
    ["POST /v1/message", message],
    ["POST /v1/events", events],
    ...(broadcast.subscribe ? [["POST /v1/subscriptions", broadcast.subscribe]] : []),
  ].filter(([, r]) => r.error_ratio > ERROR_FLAG_RATIO || r.requests === 0);
  // A message the push service could not decrypt or verify is a bug, not load: any one fails the run.
  if (!broadcast.verified) flagged.push(["broadcast (Web Push)", broadcast]);
  const errCell = (r) => `${r.errors}${r.error_ratio > ERROR_FLAG_RATIO ? " (!)" : ""}`;
  const row = (cols) =>
    `${cols[0].padEnd(27)}${cols[1].padStart(9)}${cols[2].padStart(10)}${cols[3].padStart(9)}${cols[4].padStart(9)}   ${cols[5]}`;

  console.log("");
  console.log(row(["route", "req/s", "p50 ms", "p99 ms", "errors", "ratio vs /health"]));
  console.log(
    row([
      "GET /health",
      fmtInt(health.rps),
      fmtMs(health.p50_ms),
      fmtMs(health.p99_ms),
      errCell(health),
      "1.00x",
    ]),
  );
  console.log(
    row([
      "POST /v1/message (warm)",
      fmtInt(message.rps),
      fmtMs(message.p50_ms),
      fmtMs(message.p99_ms),
      errCell(message),
      `${ratio.toFixed(2)}x  (target >= ${TARGETS.messageRatio.toFixed(2)}x)  ${pass(messagePass)}`,
    ]),
  );
  console.log(
    row([
      `POST /v1/events (${EVENTS_PER_REQUEST}/req)`,
      fmtInt(events.rps),
      fmtMs(events.p50_ms),
      fmtMs(events.p99_ms),
      errCell(events),
      `${(events.rps / health.rps).toFixed(2)}x  events/s accepted: ${fmtInt(eventsPerSec)}  (target >= ${fmtInt(TARGETS.eventsPerSec)}/s)  ${pass(eventsPass)}`,
    ]),
  );
  console.log(
    `${"consumer drain".padEnd(27)}events/s: ${keptUp && drain.reached ? ">= " : ""}${fmtInt(conservativeRate)} incl. ingest` +
      `${drain.reached ? "" : " (partial, timed out)"}, ${keptUp ? "kept up with ingest" : `${fmtInt(afterRate)} after ingest`}` +
      `  (target >= ${fmtInt(TARGETS.drainPerSec)}/s)  ${drainVerdict}`,
  );
  console.log(
    `${"broadcast (Web Push)".padEnd(27)}deliveries/s: ${fmtInt(broadcast.deliveries_per_s)} to ${fmtInt(broadcast.recipients)} subscriptions, ` +
      `Worker CPU ${fmtInt(broadcast.worker_cpu_us_per_delivery)} µs/delivery` +
      `  (target >= ${fmtInt(TARGETS.broadcastDeliveriesPerSec)}/s)  ${broadcastVerdict}`,
  );

  const dashboardOk = dashboard.error ? false : reportDashboard(dashboard);

  console.log("");
  console.log("CPU during each measured window (100% = one core; machine = all cores together)");
  const noteRestart = (name, c) => {
    if (!c.worker_restarted) return;
    const note = `${name}: the Worker's workerd process was replaced during the window (wrangler reloads when a source file changes), so its CPU is unknown`;
    results.notes.push(note);
    console.log(`  ! ${note}`);
  };
  const cpuRow = (cols) =>
    cols[0].padEnd(27) +
    cols
      .slice(1, 7)
      .map((c, i) => c.padStart([8, 13, 16, 15, 10, 9][i]))
      .join("") +
    (cols[7] ? `   ${cols[7]}` : "");
  console.log(
    cpuRow([
      "route",
      "client",
      "client loop",
      "workerd Worker",
      "workerd proxy",
      "wrangler",
      "machine",
      "limited by",
    ]),
  );
  for (const [name, r] of [
    ["GET /health", health],
    ["POST /v1/message (warm)", message],
    [`POST /v1/events (${EVENTS_PER_REQUEST}/req)`, events],
  ]) {
    const c = r.cpu ?? {};
    r.limited_by = limitedBy(c);
    console.log(
      cpuRow([
        name,
        fmtPct(c.client_cpu_pct),
        fmtPct(100 * c.client_event_loop_utilization),
        fmtPct(c.worker_workerd_cpu_pct),
        fmtPct(c.proxy_workerd_cpu_pct),
        fmtPct(c.wrangler_node_cpu_pct),
        fmtPct(c.machine_busy_pct),
        r.limited_by,
      ]),
    );
    if (r.limited_by.startsWith("bench client")) {
      const note = `${name}: the bench client's event loop was >90% busy, so the client may be the bottleneck`;
      results.notes.push(note);
      console.log(`  ! ${note}`);
    }
    noteRestart(name, c);
  }
  const bc = broadcast.cpu ?? {};
  console.log(
    cpuRow([
      "broadcast (Web Push)",
      fmtPct(bc.client_cpu_pct),
      fmtPct(100 * bc.client_event_loop_utilization),
      fmtPct(bc.worker_workerd_cpu_pct),
      fmtPct(bc.proxy_workerd_cpu_pct),
      fmtPct(bc.wrangler_node_cpu_pct),
      fmtPct(bc.machine_busy_pct),
      broadcast.limited_by,
    ]),
  );
  console.log(
    `  (while deliveries flowed; the fake push service, a separate node process, used ${fmtPct(bc.push_service_cpu_pct)})`,
  );
  noteRestart("broadcast (Web Push)", broadcast.cpu_whole_window ?? {});

  results.phases.message.limited_by = message.limited_by;
  results.phases.events.limited_by = events.limited_by;
  results.summary = {
    health_rps: health.rps,
    message_rps: message.rps,
    message_ratio_vs_health: ratio,
    message_pass: messagePass,
    events_rps: events.rps,
    events_per_s_accepted: eventsPerSec,
    events_pass: eventsPass,
    drain_events_per_s_conservative: conservativeRate,
    // Only meaningful with a real backlog; otherwise it measures max_batch_timeout.
    drain_events_per_s_after_ingest: !keptUp && Number.isFinite(afterRate) ? afterRate : null,
    drain_consumer_kept_up_with_ingest: keptUp,
    drain_pass: drainPass,
    drain_verdict: drainVerdict,
    broadcast_subscribers: broadcast.recipients,
    broadcast_deliveries_per_s: broadcast.deliveries_per_s,
    broadcast_verified: broadcast.verified,
    broadcast_pass: broadcastPass,
    broadcast_verdict: broadcastVerdict,
    broadcast_limited_by: broadcast.limited_by,
    worker_cpu_us_per_delivery: broadcast.worker_cpu_us_per_delivery,
    node_encrypt_cpu_us_per_message: broadcast.node_encrypt?.cpu_us_per_message ?? null,
    phases_with_errors_over_1pct: flagged.map(([n]) => n),
    dashboard_list_worker_cpu_ms: dashboard.experiments_list?.worker_cpu_ms_per_page ?? null,
    dashboard_experiment_worker_cpu_ms: dashboard.experiment_page?.worker_cpu_ms_per_page ?? null,
    dashboard_home_worker_cpu_ms: dashboard.home?.worker_cpu_ms_per_page ?? null,
    dashboard_push_worker_cpu_ms: dashboard.push_page?.worker_cpu_ms_per_page ?? null,
    dashboard_ads_worker_cpu_ms: dashboard.ads_page?.worker_cpu_ms_per_page ?? null,
    dashboard_pass: dashboardOk,
  };
  if (!opts.noEmail) {
    // The phases above are done with their Worker: phase g gets the machine to itself.
    await stopWrangler();
    console.log("\ng. email");
    results.phases.email = await runEmailPhase();
    reportEmail(results.phases.email);
  }
  results.wrangler_log_tail = state.log.slice(-50);
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(path.join(OUT_DIR, "results.json"), `${JSON.stringify(results, jsonReplacer, 2)}\n`);
  writeFileSync(path.join(OUT_DIR, "wrangler.log"), `${state.log.join("\n")}\n`);
  console.log(
    `\nresults: ${path.relative(process.cwd(), path.join(OUT_DIR, "results.json")) || ".bench/results.json"}`,
  );
  const interesting = state.log.filter(
    (l) =>
      !/Request\.cf|getaddrinfo|GetAddrInfoReqWrap|Scheduled Workers|cdn-cgi\/local\/scheduled|cron-triggers|manually trigger|^\s*$/.test(
        l,
      ),
  );
  if (interesting.length > 0) {
    console.log(
      `wrangler printed ${interesting.length} line(s) (full log in .bench/wrangler.log); first ones:`,
    );
    for (const l of interesting.slice(0, 10)) console.log(`  | ${l.slice(0, 300)}`);
  }

  if (flagged.length > 0) {
    console.log(
      `\nFAILED: more than 1% errors, or push messages not all delivered and verified, in ${flagged.map(([n]) => n).join(", ")}`,
    );
    return 2;
  }
  return 0;
}

/** Prints phase f's pages against the target; true when every one is under it without errors. */
function reportDashboard(d) {
  let ok = true;
  for (const [name, r, note] of [
    ["GET /app …/experiments", d.experiments_list, ""],
    ["GET /app …/experiments/{id}", d.experiment_page, ""],
    [
      "GET /app …/{project} (home)",
      d.home,
      ": needs attention: experiments, ad syncs and alerts, push failures",
    ],
    [
      "GET /app …/push",
      d.push_page,
      `: ${fmtInt(DASHBOARD.push.subscriptions)} subscriptions, a broadcast a day`,
    ],
    ["GET /app …/ads", d.ads_page, `: 4 channels × ${DASHBOARD.ads.campaigns} campaigns a day`],
  ]) {
    if (!r) continue;
    const under = (n) => Number.isFinite(n) && n < DASHBOARD.targetMs;
    // Worker time is the target: wall time adds wrangler's proxy hop and this client.
    const pass = r.errors === 0 && under(r.worker_cpu_ms_per_page);
    ok &&= pass;
    console.log(
      `${name.padEnd(31)}Worker CPU ${fmtMs(r.worker_cpu_ms_per_page)} ms/page, wall p50 ${fmtMs(r.p50_ms)} ms, p95 ${fmtMs(r.p95_ms)} ms` +
        `, ${r.samples} pages, ${r.errors} errors  (target < ${DASHBOARD.targetMs} ms, ${fmtInt(DASHBOARD.experiments)} experiments × ${DASHBOARD.days} days${note})  ${pass ? "PASS" : "MISS"}`,
    );
  }
  const b = d.baseline;
  console.log(
    `${"  (baseline: /app/projects/new)".padEnd(31)}Worker CPU ${fmtMs(b.worker_cpu_ms_per_page)} ms/page, wall p50 ${fmtMs(b.p50_ms)} ms: session, project switcher, layout`,
  );
  return ok;
}

// NaN/Infinity are not JSON; write null instead.
function jsonReplacer(_key, value) {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

class StartError extends Error {}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  if (err instanceof StartError) console.error(`\nbench: the Worker could not start.\n${err.message}`);
  else console.error(`\nbench: ${err?.stack ?? err}`);
  if (state.childExited && !(err instanceof StartError)) {
    console.error(`wrangler dev had exited (${state.exitInfo}); its last output:\n${logTail()}`);
  }
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
