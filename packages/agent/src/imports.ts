import type { ImportAlias } from "./app-config";
import { dirname, resolveRelative } from "./paths";
import type { RepoIndex } from "./snapshot";

/** A local name bound by an import, and the module it came from. */
export interface ImportBinding {
  name: string;
  specifier: string;
  lazy: boolean;
}

const STATIC_IMPORT = /\bimport\s+(?:type\s+)?([\w$]+)?\s*,?\s*(?:\{([^}]*)\})?\s*from\s*["']([^"']+)["']/g;
const LAZY_IMPORT =
  /\b(?:const|let|var)\s+([\w$]+)\s*=\s*(?:React\.)?(?:lazy|defineAsyncComponent|loadable|dynamic)?\s*\(?\s*\(\s*\)\s*=>\s*import\(\s*["']([^"']+)["']/g;

/** The names a module imports: default and named imports, and `lazy(() => import("…"))` bindings. */
export function importBindings(code: string): ImportBinding[] {
  const out: ImportBinding[] = [];
  for (const match of code.matchAll(STATIC_IMPORT)) {
    const specifier = match[3] as string;
    if (match[1]) out.push({ name: match[1], specifier, lazy: false });
    for (const part of (match[2] ?? "").split(",")) {
      const named = /^\s*(?:type\s+)?[\w$]+(?:\s+as\s+([\w$]+))?\s*$/.exec(part);
      if (!named) continue;
      const local = named[1] ?? part.trim().replace(/^type\s+/, "");
      out.push({ name: local, specifier, lazy: false });
    }
  }
  for (const match of code.matchAll(LAZY_IMPORT)) {
    out.push({ name: match[1] as string, specifier: match[2] as string, lazy: true });
  }
  return out;
}

const RESOLVE_SUFFIXES = [
  "",
  ".tsx",
  ".ts",
  ".jsx",
  ".js",
  ".vue",
  "/index.tsx",
  "/index.ts",
  "/index.jsx",
  "/index.js",
  "/index.vue",
];

/**
 * The repository file a specifier names from `importer`: relative paths and the app's aliases,
 * with the extensions and index files bundlers try. Null for packages and unknown files.
 */
export function resolveImport(
  index: RepoIndex,
  importer: string,
  specifier: string,
  aliases: readonly ImportAlias[],
): string | null {
  let base: string | null = null;
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    base = resolveRelative(dirname(importer), specifier);
  } else {
    const alias = aliases.find((item) => specifier.startsWith(item.prefix));
    if (alias) base = resolveRelative(alias.target.replace(/\/$/, ""), specifier.slice(alias.prefix.length));
  }
  if (base === null) return null;
  return index.firstFile(RESOLVE_SUFFIXES.map((suffix) => `${base}${suffix}`));
}
