// biome-ignore-all lint/style/noRestrictedImports: build tooling, run by Node, never shipped
// biome-ignore-all lint/style/noRestrictedGlobals: build tooling, run by Node, never shipped
// The size budget of the browser build: what a page pays to show PushBunny copy and count its
// opens, and to run web experiments (message, track and experiment, with the queue, backoff,
// storage, segment hash and push that come with them). Web experiments raised it from 5 KB.
// `pnpm sdk:size` prints the numbers and fails above the budget; test/size.test.ts runs it too.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const BUDGET_BYTES = 5.5 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));

async function gzipped(contents) {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    platform: "browser",
    write: false,
  });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** Minified and gzipped bytes of the browser entry as an app uses it, and of the bare core. */
export async function measure() {
  const browser = await gzipped(
    `import { createClient } from "./src/browser.ts";
     const c = createClient({ baseUrl: "https://edge.example", apiKey: "pb_live_x" });
     c.message({ intentId: "i", baseExample: "b" }).then((m) => c.track({ type: "opened", trackingToken: m.trackingToken }));
     c.experiment("hero").then(() => c.track("signup"));
     export { c };`,
  );
  const core = await gzipped(`export { createClient } from "./src/index.ts";`);
  return { budget: BUDGET_BYTES, browser, core };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await measure();
  const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
  console.log(
    `browser build (message + track + experiment + push): ${kb(r.browser.min)} min, ${kb(r.browser.gzip)} min+gzip`,
  );
  console.log(
    `core only:                                           ${kb(r.core.min)} min, ${kb(r.core.gzip)} min+gzip`,
  );
  console.log(`budget: ${kb(r.budget)} min+gzip`);
  if (r.browser.gzip > r.budget) {
    console.error(`over budget by ${r.browser.gzip - r.budget} bytes`);
    process.exit(1);
  }
}
