// `pnpm dev`: run the whole Worker locally (D1, KV, Queues, Durable Objects on workerd) with
// migrations applied and a development project + API key seeded. No account, no network.
// Flags after `--` go to `wrangler dev`, e.g. `pnpm dev -- --port 8790 --var API_KEYS:my_key`.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The documented development key. It exists only in the local D1 and is refused in production. */
export const DEV_API_KEY = "pb_dev_local_0000000000000000";
export const DEV_PROJECT_ID = "prj_dev";
// The development project reads every ad channel from the deterministic sandbox source.
const SANDBOX_CHANNELS = ["facebook", "instagram", "google_ads", "tiktok"];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wrangler = join(
  root,
  "node_modules",
  ".bin",
  process.platform === "win32" ? "wrangler.cmd" : "wrangler",
);
const childEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };

function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

if (Number(process.versions.node.split(".")[0]) < 22) {
  fail(
    `wrangler needs Node >= 22 but this is ${process.version}. Run through pnpm (npx -y pnpm@10 dev), which uses the pinned Node 22 from node_modules.`,
  );
}
if (!existsSync(wrangler)) fail("dependencies are not installed: run `npx -y pnpm@10 install` first.");

const passthrough = process.argv.slice(2).filter((a, i) => !(i === 0 && a === "--"));
// The local state lives where `wrangler dev` keeps it unless the caller moves it.
const persistIdx = passthrough.findIndex((a) => a === "--persist-to" || a.startsWith("--persist-to="));
const persistArgs =
  persistIdx === -1
    ? []
    : passthrough[persistIdx].includes("=")
      ? [passthrough[persistIdx]]
      : [passthrough[persistIdx], passthrough[persistIdx + 1]];

function run(args, what) {
  const res = spawnSync(wrangler, args, { cwd: root, env: childEnv, encoding: "utf8" });
  if (res.status !== 0) fail(`${what} failed:\n${res.stdout}\n${res.stderr}`);
  return res.stdout;
}

console.log("• applying D1 migrations to the local database…");
run(["d1", "migrations", "apply", "DB", "--local", ...persistArgs], "migrations");

const now = Date.now();
const digest = createHash("sha256").update(DEV_API_KEY).digest("hex");
console.log("• seeding the development project, API key and sandbox ad channels…");
run(
  [
    "d1",
    "execute",
    "DB",
    "--local",
    ...persistArgs,
    "--command",
    `INSERT OR IGNORE INTO projects (id, name, default_locale, challenger_count, created_at, updated_at)
       VALUES ('${DEV_PROJECT_ID}', 'Development', 'en-US', 3, ${now}, ${now});
     INSERT OR IGNORE INTO api_keys (id, project_id, name, prefix, digest, created_at)
       VALUES ('key_dev', '${DEV_PROJECT_ID}', 'local development', '${DEV_API_KEY.slice(0, 12)}', '${digest}', ${now});
     INSERT OR IGNORE INTO channel_accounts (id, project_id, channel, source, credentials, created_at, updated_at)
       VALUES ${SANDBOX_CHANNELS.map((c) => `('cha_dev_${c}', '${DEV_PROJECT_ID}', '${c}', 'sandbox', NULL, ${now}, ${now})`).join(", ")};`,
  ],
  "seeding",
);

const portIdx = passthrough.findIndex((a) => a === "--port" || a.startsWith("--port="));
const port = portIdx === -1 ? "8787" : (passthrough[portIdx].split("=")[1] ?? passthrough[portIdx + 1]);
console.log(`
  PushBunny Edge (local) → http://localhost:${port}
  Development API key    → ${DEV_API_KEY}   (project ${DEV_PROJECT_ID}; local only, refused in production)

  curl -s localhost:${port}/v1/message -H 'Authorization: Bearer ${DEV_API_KEY}' \\
       -H 'Content-Type: application/json' \\
       -d '{"intent_id":"cart_abandonment","base_example":"You left items in your cart"}'
`);

// Development settings go in as --var so they can never end up in a deployed config.
const child = spawn(
  wrangler,
  ["dev", "--local", "--var", "ENVIRONMENT:development", "--var", "CORS_ORIGINS:*", ...passthrough],
  // No network: skip fetching the Request.cf sample from Cloudflare.
  {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: "inherit",
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
