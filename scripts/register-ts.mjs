// Lets plain Node run TypeScript that imports its siblings without extensions (`./hash`), as the
// workspace's bundler-style tsconfig allows. Node 22 strips the types itself; this hook only
// appends ".ts" to extensionless relative imports made from .ts files. No dependencies.
//
//   node --import ./scripts/register-ts.mjs scripts/bench-bandit.ts

import { registerHooks } from "node:module";
import path from "node:path";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    const fromTypeScript = context.parentURL?.endsWith(".ts") ?? false;
    if (relative && fromTypeScript && path.extname(specifier) === "") {
      return nextResolve(`${specifier}.ts`, context);
    }
    return nextResolve(specifier, context);
  },
});
