import { asRecord, parseJsonc } from "./jsonc";
import { dirname, joinPath, resolveRelative } from "./paths";
import type { RepoIndex } from "./snapshot";

/** The parts of a package.json that detection reads. */
export interface PackageInfo {
  path: string;
  name: string | null;
  dependencies: Record<string, string>;
  scripts: Record<string, string>;
  workspaces: string[];
  packageManager: string | null;
}

/** An import alias with its target folder, both as the app writes them: "@/" → "src/" (repo-relative). */
export interface ImportAlias {
  prefix: string;
  target: string;
  source: string;
}

const stringRecord = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(asRecord(value) ?? {})) {
    if (typeof item === "string") out[key] = item;
  }
  return out;
};

/** Reads and parses a package.json; null when it is absent or not JSON. */
export async function readPackage(index: RepoIndex, path: string): Promise<PackageInfo | null> {
  const text = await index.read(path);
  if (text === null) return null;
  const json = asRecord(parseJsonc(text));
  if (!json) return null;
  const workspacesField = json.workspaces;
  const workspaceList = Array.isArray(workspacesField)
    ? workspacesField
    : (asRecord(workspacesField)?.packages ?? []);
  return {
    path,
    name: typeof json.name === "string" ? json.name : null,
    // Peer dependencies count too: a component library declares react there.
    dependencies: {
      ...stringRecord(json.peerDependencies),
      ...stringRecord(json.devDependencies),
      ...stringRecord(json.dependencies),
    },
    scripts: stringRecord(json.scripts),
    workspaces: Array.isArray(workspaceList)
      ? workspaceList.filter((item): item is string => typeof item === "string")
      : [],
    packageManager: typeof json.packageManager === "string" ? json.packageManager : null,
  };
}

/** The package globs of a pnpm-workspace.yaml (its `packages:` list only; no YAML library needed). */
export function parsePnpmWorkspace(text: string): string[] {
  const out: string[] = [];
  let inPackages = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, "");
    if (/^packages\s*:/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages) {
      const item = /^\s+-\s*["']?([^"']+?)["']?\s*$/.exec(line);
      if (item?.[1]) out.push(item[1]);
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  return out;
}

/** Folders matching workspace globs ("apps/*", "packages/**", "web"); negations are dropped. */
export function expandWorkspaces(index: RepoIndex, globs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const glob of globs) {
    if (glob.startsWith("!")) continue;
    const clean = joinPath(glob.replace(/\/+$/, ""));
    if (clean.endsWith("/**")) {
      const base = clean.slice(0, -3);
      for (const file of index.filesUnder(base)) {
        if (file.endsWith("/package.json") && !file.includes("node_modules/")) out.add(dirname(file));
      }
    } else if (clean === "*" || clean.endsWith("/*")) {
      for (const folder of index.subfolders(clean.slice(0, -2))) out.add(folder);
    } else if (!clean.includes("*")) {
      out.add(clean);
    }
  }
  return [...out].filter((folder) => index.hasFile(joinPath(folder, "package.json"))).sort();
}

/** The package manager from the packageManager field, else from the lockfile beside package.json. */
export function packageManagerOf(
  index: RepoIndex,
  root: string,
  declared: string | null,
): "npm" | "yarn" | "pnpm" | "bun" | "unknown" {
  const name = declared?.split("@")[0];
  if (name === "npm" || name === "yarn" || name === "pnpm" || name === "bun") return name;
  if (index.hasFile(joinPath(root, "pnpm-lock.yaml")) || index.hasFile(joinPath(root, "pnpm-workspace.yaml")))
    return "pnpm";
  if (index.hasFile(joinPath(root, "yarn.lock"))) return "yarn";
  if (index.hasFile(joinPath(root, "bun.lockb")) || index.hasFile(joinPath(root, "bun.lock"))) return "bun";
  if (
    index.hasFile(joinPath(root, "package-lock.json")) ||
    index.hasFile(joinPath(root, "npm-shrinkwrap.json"))
  )
    return "npm";
  return "unknown";
}

/**
 * Import aliases from compilerOptions.paths of tsconfig.json / jsconfig.json, following
 * `references` and relative `extends` one level (Vite's templates keep paths in tsconfig.app.json).
 */
export async function readTsconfigAliases(index: RepoIndex, appRoot: string): Promise<ImportAlias[]> {
  const start = [joinPath(appRoot, "tsconfig.json"), joinPath(appRoot, "jsconfig.json")];
  const queue = start.filter((path) => index.hasFile(path));
  const seen = new Set<string>();
  const aliases: ImportAlias[] = [];
  while (queue.length > 0 && seen.size < 6) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const json = asRecord(parseJsonc((await index.read(path)) ?? ""));
    if (!json) continue;
    const folder = dirname(path);
    const options = asRecord(json.compilerOptions);
    const baseUrl = typeof options?.baseUrl === "string" ? options.baseUrl : ".";
    for (const [key, targets] of Object.entries(asRecord(options?.paths) ?? {})) {
      const first = Array.isArray(targets) ? targets[0] : undefined;
      if (typeof first !== "string" || !key.endsWith("/*") || !first.endsWith("/*")) continue;
      const target = resolveRelative(resolveRelative(folder, baseUrl) ?? folder, first.slice(0, -2));
      if (target === null) continue;
      aliases.push({ prefix: key.slice(0, -1), target: target === "" ? "" : `${target}/`, source: path });
    }
    const next: string[] = [];
    if (typeof json.extends === "string" && json.extends.startsWith(".")) next.push(json.extends);
    for (const ref of Array.isArray(json.references) ? json.references : []) {
      const refPath = asRecord(ref)?.path;
      if (typeof refPath === "string")
        next.push(refPath.endsWith(".json") ? refPath : `${refPath}/tsconfig.json`);
    }
    for (const item of next) {
      const resolved = resolveRelative(folder, item);
      if (resolved !== null && index.hasFile(resolved)) queue.push(resolved);
    }
  }
  return aliases;
}

/** Aliases declared in a Vite config: `'@': fileURLToPath(new URL('./src', import.meta.url))` and `path.resolve(__dirname, 'src')`. */
export function viteConfigAliases(text: string, configPath: string): ImportAlias[] {
  const out: ImportAlias[] = [];
  const folder = dirname(configPath);
  const pattern =
    /["']?([@~#][\w-]*)["']?\s*:\s*(?:fileURLToPath\(\s*new URL\(\s*|path\.resolve\(\s*__dirname\s*,\s*|resolve\(\s*__dirname\s*,\s*)["']([^"']+)["']/g;
  for (const match of text.matchAll(pattern)) {
    const target = resolveRelative(folder, match[2] ?? "");
    if (target !== null)
      out.push({ prefix: `${match[1]}/`, target: target === "" ? "" : `${target}/`, source: configPath });
  }
  return out;
}

/** The module script of an index.html (`<script type="module" src="/src/main.tsx">`), repo-relative. */
export function htmlEntry(text: string, appRoot: string): string | null {
  for (const tag of text.match(/<script\b[^>]*>/gi) ?? []) {
    if (!/type\s*=\s*["']module["']/i.test(tag)) continue;
    const src = /\bsrc\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (src && !/^[a-z]+:/i.test(src) && !src.startsWith("//"))
      return joinPath(appRoot, src.replace(/^\/+/, ""));
  }
  return null;
}
