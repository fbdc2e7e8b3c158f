// biome-ignore-all lint/style/noRestrictedImports: build tooling, run by Node, never shipped
// biome-ignore-all lint/style/noRestrictedGlobals: build tooling, run by Node, never shipped
// The publishable build: ES modules for each entry point (shared code in one chunk) plus
// declarations, in dist/. Inside the workspace the package is used from its TypeScript source.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  entryPoints: ["index", "browser", "react-native", "node"].map((e) => `${root}src/${e}.ts`),
  outdir: `${root}dist`,
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: "es2020",
  platform: "neutral",
});
execFileSync(
  process.execPath,
  [`${root}../../node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.json`],
  {
    stdio: "inherit",
  },
);
console.log("built packages/sdk/dist");
