#!/usr/bin/env node
// One-command, idempotent production deploy of the Worker to the logged-in Cloudflare account.
//
//   pnpm run deploy                           create or reuse every resource, migrate, deploy
//   pnpm run deploy -- --dry-run              offline: bundle only, no account needed
//   pnpm run deploy -- [--dry-run] -- <args>  extra <args> are passed to `wrangler deploy`
//   (or directly: node scripts/deploy.mjs [--dry-run] [-- <args>]; a leading `--` is ignored)
//
// Steps: `wrangler whoami`; the D1 database, KV namespace, queues and R2 buckets named in wrangler.toml
// (each created only when missing, otherwise reused); a generated wrangler.deploy.toml next to
// wrangler.toml with the real ids (gitignored, never edit it); TRACKING_SECRET, CREDENTIALS_KEY and AUTH_SECRET
// (random, set once via stdin, never printed); remote D1 migrations; `wrangler deploy`; a summary.
// wrangler.toml itself is never modified: its ids are placeholders that work locally.
//
// Environment: WRANGLER_BIN overrides the wrangler CLI (default node_modules/.bin/wrangler; a
// .js/.mjs/.cjs file is run with this Node). DEPLOY_ROOT points at another directory holding a
// wrangler.toml (the generated config and .deploy/ go there, and wrangler runs there); tests use it.
// Exit code: 0 on success, 1 on any failure (wrangler's stderr is shown), 2 on bad usage.
// No dependencies beyond Node's standard library.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = path.resolve(process.env.DEPLOY_ROOT || REPO);
const SOURCE_CONFIG = "wrangler.toml";
const DEPLOY_CONFIG = "wrangler.deploy.toml";
const DRY_RUN_OUTDIR = ".deploy/dist";
const WRANGLER = process.env.WRANGLER_BIN || path.join(REPO, "node_modules", ".bin", "wrangler");
const LOGIN_HINT =
  "run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID, then try again";
const SECRET_HINTS = [
  { name: "GEMINI_API_KEY", why: "optional: enables AI-written challengers (Gemini)" },
  { name: "METRICS_TOKEN", why: "optional: enables GET /metrics (Prometheus) behind this bearer token" },
  { name: "API_KEYS", why: "optional: comma-separated bootstrap API keys" },
  { name: "GOOGLE_CLIENT_SECRET", why: "optional: with the GOOGLE_CLIENT_ID var, enables Google sign-in" },
];

class DeployError extends Error {}

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `usage: pnpm run deploy -- [--dry-run] [-- <extra wrangler deploy args>]

  --dry-run   bundle offline (wrangler deploy --dry-run --outdir ${DRY_RUN_OUTDIR}); no account needed
  --help      show this help`;

function parseArgs(argv) {
  const opts = { dryRun: false, help: false, passthrough: [] };
  // `pnpm run deploy -- --dry-run` hands us the `--` too: a leading one is not the separator.
  if (argv[0] === "--") argv = argv.slice(1);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      opts.passthrough = argv.slice(i + 1);
      break;
    }
    if (a === "--dry-run") opts.dryRun = true;
    else if (a === "--help" || a === "-h") opts.help = true;
    else {
      console.error(`deploy: unknown argument '${a}' (put wrangler deploy arguments after --)\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// wrangler.toml: a line-based reader for this file's shape (top-level keys, [tables] and
// [[arrays of tables]] holding `key = "string"` lines). Not a general TOML parser.

/** Splits the file into sections; the first one (header null) holds the top-level keys. */
function readSections(text) {
  const lines = text.split(/\r?\n/);
  const sections = [{ header: null, start: 0, entries: [] }];
  lines.forEach((line, index) => {
    const header = line.match(/^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$/);
    if (header) {
      sections.push({ header: header[2], array: header[1] === "[[", start: index, entries: [] });
      return;
    }
    const kv = line.match(/^\s*([A-Za-z0-9_-]+)\s*=\s*"([^"]*)"\s*(#.*)?$/);
    if (kv) sections.at(-1).entries.push({ key: kv[1], value: kv[2], line: index });
  });
  return { lines, sections };
}

const get = (section, key) => section.entries.find((e) => e.key === key);

/** What the deploy needs from wrangler.toml. */
function parseWranglerToml(text) {
  const { sections } = readSections(text);
  const name = get(sections[0], "name")?.value;
  if (!name) throw new DeployError(`${SOURCE_CONFIG} has no top-level name = "..."`);
  const d1 = sections
    .filter((s) => s.header === "d1_databases")
    .map((s) => ({ binding: get(s, "binding")?.value, name: get(s, "database_name")?.value }));
  const kv = sections
    .filter((s) => s.header === "kv_namespaces")
    .map((s) => ({ binding: get(s, "binding")?.value }));
  for (const db of d1) {
    if (!db.binding || !db.name)
      throw new DeployError(`${SOURCE_CONFIG}: a [[d1_databases]] lacks binding/database_name`);
  }
  for (const ns of kv) {
    if (!ns.binding) throw new DeployError(`${SOURCE_CONFIG}: a [[kv_namespaces]] lacks binding`);
  }
  const queues = [];
  for (const s of sections.filter((s) => s.header?.startsWith("queues."))) {
    for (const e of s.entries) {
      if ((e.key === "queue" || e.key === "dead_letter_queue") && !queues.includes(e.value))
        queues.push(e.value);
    }
  }
  const r2 = sections
    .filter((s) => s.header === "r2_buckets")
    .map((s) => get(s, "bucket_name")?.value)
    .filter((b) => typeof b === "string" && b !== "");
  return { name, d1, kv, queues, r2 };
}

/**
 * wrangler.toml with ids substituted: d1Ids maps a D1 binding to its database_id, kvIds a KV
 * binding to its id. Lines are replaced in place, comments kept. A binding missing from the maps
 * keeps wrangler.toml's placeholder only when keepPlaceholders is set (the dry run).
 */
function renderDeployConfig(text, { d1Ids, kvIds }, { keepPlaceholders = false } = {}) {
  const { lines, sections } = readSections(text);
  const replace = (section, key, value, what) => {
    const entry = get(section, key);
    if (!entry) throw new DeployError(`${SOURCE_CONFIG}: ${what} has no ${key} = "..." line to fill in`);
    if (value === undefined) {
      if (keepPlaceholders) return;
      throw new DeployError(`internal: no ${key} for ${what}`);
    }
    lines[entry.line] = lines[entry.line].replace(/"[^"]*"/, JSON.stringify(value));
  };
  for (const s of sections) {
    const binding = get(s, "binding")?.value;
    if (s.header === "d1_databases") replace(s, "database_id", d1Ids[binding], `[[d1_databases]] ${binding}`);
    if (s.header === "kv_namespaces") replace(s, "id", kvIds[binding], `[[kv_namespaces]] ${binding}`);
  }
  const header = [
    `# GENERATED by scripts/deploy.mjs from ${SOURCE_CONFIG}: do not edit, do not commit.`,
    `# Edit ${SOURCE_CONFIG} and re-run \`pnpm run deploy\`; this file is rewritten every time.`,
    "",
  ];
  return header.concat(lines).join("\n");
}

/** The generated config must be a production config: refuse anything that smells of dev. */
function assertProductionConfig(
  text,
  { allowPlaceholders = false, label = `generated ${DEPLOY_CONFIG}` } = {},
) {
  const { sections } = readSections(text);
  const problems = [];
  const vars = sections.find((s) => s.header === "vars");
  if (!vars || get(vars, "ENVIRONMENT")?.value !== "production") {
    problems.push('[vars] must keep ENVIRONMENT = "production"');
  }
  if (/API_KEYS/.test(text)) problems.push("it mentions API_KEYS (bootstrap keys are secrets, never vars)");
  if (/pb_dev_/.test(text)) problems.push("it contains a development API key (pb_dev_…)");
  if (!allowPlaceholders && /"0{32}"|"0{8}-0{4}-0{4}-0{4}-0{12}"/.test(text)) {
    problems.push("it still contains a placeholder id");
  }
  if (problems.length) {
    throw new DeployError(
      `refusing to deploy: ${label} is not production-safe:\n  - ${problems.join("\n  - ")}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Running wrangler

/**
 * Runs wrangler with `args`, echoing the command. `stream` shows its output live (it is also
 * captured); `input` is written to its stdin (and never echoed); `allowFail` returns the result
 * of a failed run instead of throwing.
 */
function wrangler(args, { stream = false, input, allowFail = false, env = {}, note = "" } = {}) {
  console.log(`$ wrangler ${args.join(" ")}${note}`);
  const [cmd, argv] = /\.[cm]?js$/.test(WRANGLER)
    ? [process.execPath, [WRANGLER, ...args]]
    : [WRANGLER, args];
  const binDir = path.join(REPO, "node_modules", ".bin");
  const child = spawn(cmd, argv, {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      // The pinned Node 22 first, so the .bin shim never runs wrangler on an older system Node.
      PATH: [binDir, process.env.PATH].filter(Boolean).join(path.delimiter),
      WRANGLER_SEND_METRICS: "false",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d) => {
    stdout += d;
    if (stream) process.stdout.write(d);
  });
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
    if (stream) process.stderr.write(d);
  });
  child.stdin.on("error", () => {}); // a child that exits without reading its stdin
  child.stdin.end(input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", (err) => {
      const hint = err.code === "ENOENT" ? " (run `pnpm install` first, or set WRANGLER_BIN)" : "";
      reject(new DeployError(`could not run wrangler at ${WRANGLER}: ${err.message}${hint}`));
    });
    child.on("close", (code, signal) => {
      const result = {
        code: code ?? 1,
        stdout: stripVTControlCharacters(stdout),
        stderr: stripVTControlCharacters(stderr),
      };
      if (result.code === 0 || allowFail) return resolve(result);
      if (!stream) {
        if (stdout.trim()) process.stdout.write(stdout.endsWith("\n") ? stdout : `${stdout}\n`);
        if (stderr.trim()) process.stderr.write(stderr.endsWith("\n") ? stderr : `${stderr}\n`);
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new DeployError(`\`wrangler ${args.join(" ")}\` ${how} (its output is above)`));
    });
  });
}

/** A JSON array from a command's output, tolerating lines wrangler prints around it. */
function parseJsonArray(output, what) {
  const text = output.trim();
  const candidates = [text, text.slice(text.indexOf("["), text.lastIndexOf("]") + 1)];
  for (const candidate of candidates) {
    try {
      const value = JSON.parse(candidate);
      if (Array.isArray(value)) return value;
    } catch {}
  }
  throw new DeployError(`could not read the JSON list printed by \`wrangler ${what}\`:\n${output}`);
}

// ---------------------------------------------------------------------------------------------
// Steps

async function checkLogin() {
  const res = await wrangler(["whoami"], { allowFail: true });
  const out = `${res.stdout}\n${res.stderr}`;
  if (res.code !== 0 || /not (authenticated|logged in)/i.test(out)) {
    if (res.stderr.trim()) process.stderr.write(`${res.stderr.trim()}\n`);
    throw new DeployError(`not logged in to Cloudflare: ${LOGIN_HINT}`);
  }
  const email = out.match(/associated with the email\s+(\S+?)\.?\s*$/m)?.[1];
  console.log(email ? `  logged in as ${email}` : "  logged in");
}

async function ensureD1(name, summary) {
  const find = async () => {
    const list = parseJsonArray((await wrangler(["d1", "list", "--json"])).stdout, "d1 list --json");
    return list.find((db) => db.name === name);
  };
  let db = await find();
  if (db) {
    summary.reused.push(`D1 database ${name} (${db.uuid})`);
  } else {
    await wrangler(["d1", "create", name]);
    db = await find();
    if (!db) throw new DeployError(`created D1 database ${name}, but \`wrangler d1 list\` does not show it`);
    summary.created.push(`D1 database ${name} (${db.uuid})`);
  }
  if (!db.uuid) throw new DeployError(`\`wrangler d1 list --json\` gave no uuid for ${name}`);
  return db.uuid;
}

async function ensureKv(title, summary) {
  const find = async () => {
    const list = parseJsonArray((await wrangler(["kv", "namespace", "list"])).stdout, "kv namespace list");
    return list.find((ns) => ns.title === title);
  };
  let ns = await find();
  if (ns) {
    summary.reused.push(`KV namespace ${title} (${ns.id})`);
  } else {
    // wrangler 4 uses the argument as the title verbatim, so pass the full stable title.
    await wrangler(["kv", "namespace", "create", title]);
    ns = await find();
    if (!ns)
      throw new DeployError(
        `created KV namespace ${title}, but \`wrangler kv namespace list\` does not show it`,
      );
    summary.created.push(`KV namespace ${title} (${ns.id})`);
  }
  if (!ns.id) throw new DeployError(`\`wrangler kv namespace list\` gave no id for ${title}`);
  return ns.id;
}

const ALREADY_EXISTS = /already (exists|taken|in use)|\b11009\b/i;

async function ensureQueues(names, summary) {
  // `queues list` prints a table; it only saves needless create calls (and may be paginated),
  // so a create answered with "already exists" also counts as reuse.
  const listing = (await wrangler(["queues", "list"], { allowFail: true })).stdout;
  const listed = (name) =>
    new RegExp(`(^|[^\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w-]|$)`, "m").test(listing);
  for (const name of names) {
    if (listed(name)) {
      summary.reused.push(`queue ${name}`);
      continue;
    }
    const res = await wrangler(["queues", "create", name], { allowFail: true });
    if (res.code === 0) summary.created.push(`queue ${name}`);
    else if (ALREADY_EXISTS.test(`${res.stdout}\n${res.stderr}`)) summary.reused.push(`queue ${name}`);
    else {
      process.stderr.write(`${res.stdout}${res.stderr}`);
      throw new DeployError(`\`wrangler queues create ${name}\` failed (its output is above)`);
    }
  }
}

async function ensureR2Buckets(names, summary) {
  // Creating is the check: a bucket that exists answers "already exists" (code 10004), reused.
  for (const name of names) {
    const res = await wrangler(["r2", "bucket", "create", name], { allowFail: true });
    if (res.code === 0) summary.created.push(`R2 bucket ${name}`);
    else if (/already exists|\b10004\b/i.test(`${res.stdout}\n${res.stderr}`))
      summary.reused.push(`R2 bucket ${name}`);
    else {
      process.stderr.write(`${res.stdout}${res.stderr}`);
      throw new DeployError(`\`wrangler r2 bucket create ${name}\` failed (its output is above)`);
    }
  }
}

async function listSecrets() {
  const res = await wrangler(["secret", "list", "--config", DEPLOY_CONFIG], { allowFail: true });
  if (res.code === 0) return parseJsonArray(res.stdout, "secret list").map((s) => s.name);
  if (/not found|does not exist|\b10007\b|\b10090\b/i.test(`${res.stdout}\n${res.stderr}`)) {
    console.log("  (the Worker does not exist yet: no secrets)");
    return [];
  }
  process.stderr.write(`${res.stdout}${res.stderr}`);
  throw new DeployError("`wrangler secret list` failed (its output is above)");
}

// Random secrets the Worker needs in production, each set once (an existing one is never
// replaced: rotating TRACKING_SECRET invalidates issued tokens, CREDENTIALS_KEY sealed credentials,
// AUTH_SECRET every signed-in session's access token).
const GENERATED_SECRETS = ["TRACKING_SECRET", "CREDENTIALS_KEY", "AUTH_SECRET"];

async function ensureGeneratedSecrets(summary) {
  const existing = await listSecrets();
  for (const name of GENERATED_SECRETS) {
    if (existing.includes(name)) {
      summary.reused.push(`secret ${name}`);
      continue;
    }
    const value = randomBytes(32).toString("hex");
    await wrangler(["secret", "put", name, "--config", DEPLOY_CONFIG], {
      input: `${value}\n`,
      note: "   (random value on stdin)",
    });
    summary.created.push(`secret ${name} (random, 32 bytes)`);
  }
  summary.missingSecrets = SECRET_HINTS.filter((s) => !existing.includes(s.name));
}

function writeDeployConfig(source, ids, { dryRun }) {
  const rendered = renderDeployConfig(source, ids, { keepPlaceholders: dryRun });
  assertProductionConfig(rendered, { allowPlaceholders: dryRun });
  writeFileSync(path.join(ROOT, DEPLOY_CONFIG), rendered);
  console.log(`  wrote ${DEPLOY_CONFIG}${dryRun ? " (placeholder ids)" : ""}`);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  const sourcePath = path.join(ROOT, SOURCE_CONFIG);
  if (!existsSync(sourcePath)) throw new DeployError(`no ${SOURCE_CONFIG} in ${ROOT}`);
  const source = readFileSync(sourcePath, "utf8");
  const config = parseWranglerToml(source);
  // Fail before touching the account if wrangler.toml itself carries development settings.
  assertProductionConfig(source, { allowPlaceholders: true, label: SOURCE_CONFIG });
  const summary = { created: [], reused: [], missingSecrets: [] };
  const step = (title) => console.log(`\n== ${title}`);

  if (opts.dryRun) {
    step(`dry run: bundling ${config.name} offline (no Cloudflare account used)`);
    writeDeployConfig(source, { d1Ids: {}, kvIds: {} }, { dryRun: true });
    const res = await wrangler(
      ["deploy", "--dry-run", "--outdir", DRY_RUN_OUTDIR, "--config", DEPLOY_CONFIG, ...opts.passthrough],
      { stream: true },
    );
    const size = res.stdout.match(/Total Upload:\s*([^\n]+)/)?.[1]?.trim();
    console.log(
      `\nDry run OK: bundle in ${DRY_RUN_OUTDIR}${size ? `, size ${size}` : ""}. Nothing was deployed.`,
    );
    return;
  }

  step("Cloudflare login");
  await checkLogin();

  step("Resources");
  const d1Ids = {};
  for (const db of config.d1) d1Ids[db.binding] = await ensureD1(db.name, summary);
  const kvIds = {};
  for (const ns of config.kv) kvIds[ns.binding] = await ensureKv(`${config.name}-${ns.binding}`, summary);
  await ensureQueues(config.queues, summary);
  await ensureR2Buckets(config.r2, summary);

  step(`Generated config`);
  writeDeployConfig(source, { d1Ids, kvIds }, { dryRun: false });

  step("Secrets");
  await ensureGeneratedSecrets(summary);

  step("D1 migrations");
  for (const db of config.d1) {
    await wrangler(["d1", "migrations", "apply", db.binding, "--remote", "--config", DEPLOY_CONFIG], {
      stream: true,
      env: { CI: "true" },
    });
  }

  step("Deploy");
  const res = await wrangler(["deploy", "--config", DEPLOY_CONFIG, ...opts.passthrough], { stream: true });
  const url = `${res.stdout}\n${res.stderr}`.match(/https:\/\/[^\s"'<>]+\.workers\.dev\b[^\s"'<>]*/)?.[0];

  step("Summary");
  const list = (items) => (items.length ? items.map((i) => `  - ${i}`).join("\n") : "  (none)");
  console.log(`Created:\n${list(summary.created)}`);
  console.log(`Reused:\n${list(summary.reused)}`);
  console.log(
    url
      ? `Worker URL: ${url}`
      : "Worker URL: not shown by wrangler deploy (workers_dev off or a custom route)",
  );
  if (summary.missingSecrets.length) {
    console.log("Optional secrets not set yet:");
    for (const s of summary.missingSecrets) {
      console.log(`  npx wrangler secret put ${s.name} --config ${DEPLOY_CONFIG}   # ${s.why}`);
    }
  }
  console.log(`\nDeployed ${config.name}.`);
}

main().catch((err) => {
  if (err instanceof DeployError) console.error(`\ndeploy failed: ${err.message}`);
  else console.error("\ndeploy failed:", err);
  process.exit(1);
});
