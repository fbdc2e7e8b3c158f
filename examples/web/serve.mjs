// Serves the web example: this folder, plus the SDK's browser build bundled on the fly at
// /pushbunny.js (no build step). `node examples/web/serve.mjs` → http://localhost:8080
// with the Worker running (`npx -y pnpm@10 dev`, which allows any origin in development).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
const port = Number(process.env.PORT ?? 8080);

const bundle = await build({
  entryPoints: [fileURLToPath(new URL("../../packages/sdk/src/browser.ts", import.meta.url))],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  write: false,
});
const sdk = bundle.outputFiles[0].contents;

createServer(async (req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/pushbunny.js") {
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(sdk);
  } else if (path === "/sw.js") {
    res
      .writeHead(200, { "content-type": "text/javascript; charset=utf-8" })
      .end(await readFile(`${here}sw.js`));
  } else if (path === "/" || path === "/index.html") {
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(await readFile(`${here}index.html`));
  } else {
    res.writeHead(404).end("not found");
  }
}).listen(port, () =>
  console.log(`web example on http://localhost:${port} (SDK build: ${sdk.length} bytes)`),
);
