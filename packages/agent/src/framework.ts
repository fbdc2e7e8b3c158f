import {
  expandWorkspaces,
  htmlEntry,
  type ImportAlias,
  type PackageInfo,
  packageManagerOf,
  parsePnpmWorkspace,
  readPackage,
  readTsconfigAliases,
  viteConfigAliases,
} from "./app-config";
import { dedupeAliases, entryOf, routingOf, sourceDirsOf } from "./app-layout";
import { joinPath } from "./paths";
import { RepoIndex, type RepoSnapshot } from "./snapshot";

export type KnownFramework = "next-app" | "next-pages" | "react-vite" | "react-cra" | "vue-vite" | "vue-cli";
export type Framework = KnownFramework | "unknown";
export type PackageManager = "npm" | "yarn" | "pnpm" | "bun" | "unknown";
export type RoutingPattern =
  | "next-app-router"
  | "next-pages-router"
  | "react-router"
  | "vue-router"
  | "other"
  | "none";

/** One framework that an app could be, with the points it scored and why. */
export interface FrameworkCandidate {
  framework: KnownFramework;
  appRoot: string;
  score: number;
  evidence: string[];
}

/** How the app maps URLs to files. Folders are repository-relative. */
export interface Routing {
  pattern: RoutingPattern;
  /** The Next.js app router's folder (app/ or src/app/). */
  appDir?: string;
  /** The Next.js pages router's folder (pages/ or src/pages/). */
  pagesDir?: string;
  /** The router package and its version range, for SPAs. */
  library?: string;
}

/** What detection found for one app (the repository root, or a workspace of a monorepo). */
export interface AppDetection {
  /** The app's folder, repository-relative ("" = the repository root). */
  appRoot: string;
  framework: Framework;
  candidates: FrameworkCandidate[];
  typescript: boolean;
  /** Where the app's code lives: "src", "apps/web", or "" for a Next.js app without src/. */
  srcRoot: string;
  /** The folders the agent may write in (see checkWritePath). */
  sourceDirs: string[];
  entryPoint: string | null;
  routing: Routing;
  importAliases: ImportAlias[];
  dependencies: Record<string, string>;
}

/** detectFramework's answer: the chosen app's detection plus what was seen across the repository. */
export interface FrameworkDetection extends AppDetection {
  packageManager: PackageManager;
  monorepo: boolean;
  /** Every app inspected (the root and each workspace with a package.json), chosen one included. */
  apps: AppDetection[];
  warnings: string[];
  /** Blobs read to decide. */
  reads: number;
}

// Points for one piece of evidence. A framework is chosen at MIN_SCORE: one strong signal (the
// defining dependency) or two weaker ones (a config file and a folder layout).
const STRONG = 4;
const CONFIG = 3;
const SCRIPT = 2;
const LAYOUT = 3;
const HINT = 1;
const MIN_SCORE = 4;
const ORDER: KnownFramework[] = ["next-app", "next-pages", "react-vite", "vue-vite", "react-cra", "vue-cli"];
const MAX_APPS = 20;

const codeFiles = (stem: string, exts = ["tsx", "jsx", "ts", "js"]) => exts.map((ext) => `${stem}.${ext}`);

/** Detects the framework, package manager, source folders, entry point and routing of a repository. */
export async function detectFramework(
  snapshot: RepoSnapshot,
  options: { maxReads?: number } = {},
): Promise<FrameworkDetection> {
  const index = new RepoIndex(snapshot, options.maxReads ?? 60);
  const warnings: string[] = [];
  if (snapshot.truncated) warnings.push("The repository listing was truncated; some files were not seen.");
  const rootPkg = await readPackage(index, "package.json");
  const globs = [...(rootPkg?.workspaces ?? [])];
  const pnpmWorkspace = await index.read("pnpm-workspace.yaml");
  if (pnpmWorkspace !== null) globs.push(...parsePnpmWorkspace(pnpmWorkspace));
  let appRoots = expandWorkspaces(index, globs);
  if (!rootPkg) {
    // No package.json at the root: the app may sit in a folder (apps/web, frontend/).
    appRoots = [...new Set([...appRoots, ...expandWorkspaces(index, ["apps/*", "packages/*", "*"])])].sort();
    if (appRoots.length === 0) warnings.push("No package.json found: not a JavaScript app.");
  }
  const apps: AppDetection[] = [];
  if (rootPkg || appRoots.length === 0) apps.push(await detectApp(index, "", rootPkg));
  for (const root of appRoots.slice(0, MAX_APPS)) {
    if (root !== "")
      apps.push(await detectApp(index, root, await readPackage(index, joinPath(root, "package.json"))));
  }
  if (appRoots.length > MAX_APPS) warnings.push(`Only the first ${MAX_APPS} workspaces were inspected.`);
  const chosen = [...apps].sort(compareApps)[0] as AppDetection;
  const withFramework = apps.filter((app) => app.framework !== "unknown");
  if (withFramework.length > 1) {
    warnings.push(
      `Several apps found (${withFramework.map((app) => app.appRoot || "(root)").join(", ")}); chose ${chosen.appRoot || "(root)"}.`,
    );
  }
  const declared = rootPkg?.packageManager ?? null;
  let packageManager = packageManagerOf(index, "", declared);
  if (packageManager === "unknown" && chosen.appRoot !== "") {
    packageManager = packageManagerOf(index, chosen.appRoot, null);
  }
  return {
    ...chosen,
    candidates: apps.flatMap((app) => app.candidates).sort(compareCandidates),
    packageManager,
    monorepo: globs.length > 0,
    apps,
    warnings,
    reads: index.reads,
  };
}

function compareCandidates(a: FrameworkCandidate, b: FrameworkCandidate): number {
  return b.score - a.score || ORDER.indexOf(a.framework) - ORDER.indexOf(b.framework);
}

// A known framework first, then the higher score, then apps/* (where monorepos keep deployables), then the shorter path.
function compareApps(a: AppDetection, b: AppDetection): number {
  const known = Number(b.framework !== "unknown") - Number(a.framework !== "unknown");
  if (known !== 0) return known;
  const score = (b.candidates[0]?.score ?? 0) - (a.candidates[0]?.score ?? 0);
  if (score !== 0) return score;
  const apps = Number(b.appRoot.startsWith("apps/")) - Number(a.appRoot.startsWith("apps/"));
  return apps || a.appRoot.length - b.appRoot.length;
}

/** Detects one app in `appRoot` from its package.json, config files and folder layout. */
export async function detectApp(
  index: RepoIndex,
  appRoot: string,
  pkg: PackageInfo | null,
): Promise<AppDetection> {
  const at = (path: string) => joinPath(appRoot, path);
  const first = (paths: string[]) => index.firstFile(paths.map(at));
  const deps = pkg?.dependencies ?? {};
  const has = (name: string) => Object.hasOwn(deps, name);
  const scripts = Object.values(pkg?.scripts ?? {}).join("\n");
  const scores = new Map<KnownFramework, FrameworkCandidate>();
  const add = (framework: KnownFramework, points: number, why: string) => {
    const entry = scores.get(framework) ?? { framework, appRoot, score: 0, evidence: [] };
    entry.score += points;
    entry.evidence.push(why);
    scores.set(framework, entry);
  };
  const both = (frameworks: KnownFramework[], points: number, why: string) => {
    for (const framework of frameworks) add(framework, points, why);
  };

  // Next.js: the dependency, scripts and config say "Next"; the folders say which router.
  const NEXT: KnownFramework[] = ["next-app", "next-pages"];
  const nextConfig = first(codeFiles("next.config", ["js", "mjs", "ts", "cjs", "mts"]));
  if (has("next")) both(NEXT, STRONG, `package.json depends on next ${deps.next}`);
  if (/(^|[\s&;])next (dev|build|start)\b/m.test(scripts)) both(NEXT, SCRIPT, "scripts run next");
  if (nextConfig) both(NEXT, CONFIG, `${nextConfig} exists`);
  const isNext = scores.has("next-app");
  const appDirLayout = first([...codeFiles("src/app/layout"), ...codeFiles("app/layout")]);
  const appDir = appDirLayout ? appDirLayout.slice(0, appDirLayout.lastIndexOf("/")) : null;
  const pagesDir = ["src/pages", "pages"].map(at).find((dir) => index.filesUnder(dir).length > 0) ?? null;
  if (isNext && appDir) {
    add("next-app", LAYOUT, `${appDirLayout} is an app router root layout`);
    if (index.filesUnder(appDir).some((path) => /\/page\.(tsx|jsx|ts|js|mdx)$/.test(path))) {
      add("next-app", HINT, `${appDir}/ holds page files`);
    }
  }
  if (isNext && pagesDir) {
    const special = index.firstFile([
      ...codeFiles(`${pagesDir}/_app`),
      ...codeFiles(`${pagesDir}/_document`),
    ]);
    add(
      "next-pages",
      special ? LAYOUT : SCRIPT,
      special ? `${special} is a pages router custom App` : `${pagesDir}/ holds pages`,
    );
  }

  // Vite: the bundler is shared, the plugin or the UI library tells React from Vue.
  const viteConfig = first(codeFiles("vite.config", ["ts", "js", "mjs", "mts", "cjs", "cts"]));
  const viteText = viteConfig ? ((await index.read(viteConfig)) ?? "") : "";
  const isVite = has("vite") || viteConfig !== null || /(^|[\s&;])vite(\s|$)/m.test(scripts);
  const indexHtml = first(["index.html"]);
  const entryFromHtml = indexHtml ? htmlEntry((await index.read(indexHtml)) ?? "", appRoot) : null;
  if (isVite) {
    const flavours: [KnownFramework, boolean, string[], RegExp, string][] = [
      [
        "react-vite",
        has("react"),
        ["@vitejs/plugin-react", "@vitejs/plugin-react-swc"],
        /plugin-react/,
        "src/main",
      ],
      ["vue-vite", has("vue"), ["@vitejs/plugin-vue"], /plugin-vue/, "src/App.vue"],
    ];
    for (const [framework, library, plugins, pluginPattern, marker] of flavours) {
      const plugin = plugins.find(has);
      const configured = pluginPattern.test(viteText);
      if (!library && !plugin && !configured) continue;
      if (has("vite")) add(framework, SCRIPT, `package.json depends on vite ${deps.vite}`);
      if (viteConfig) add(framework, SCRIPT, `${viteConfig} exists`);
      if (plugin) add(framework, SCRIPT, `package.json depends on ${plugin}`);
      if (configured) add(framework, HINT, `${viteConfig} uses ${pluginPattern.source}`);
      if (library)
        add(framework, HINT, `package.json depends on ${framework === "vue-vite" ? "vue" : "react"}`);
      const markerFile = marker.endsWith(".vue") ? first([marker]) : first(codeFiles(marker));
      if (markerFile) add(framework, HINT, `${markerFile} exists`);
      if (entryFromHtml) add(framework, HINT, `${indexHtml} loads ${entryFromHtml}`);
    }
  }

  // Create React App (and CRACO, which wraps it).
  const publicHtml = first(["public/index.html"]);
  if (has("react-scripts"))
    add("react-cra", STRONG, `package.json depends on react-scripts ${deps["react-scripts"]}`);
  if (has("@craco/craco")) add("react-cra", CONFIG, "package.json depends on @craco/craco");
  if (/(^|[\s&;])(react-scripts|craco) (start|build)\b/m.test(scripts))
    add("react-cra", SCRIPT, "scripts run react-scripts");
  if (scores.has("react-cra") && publicHtml) add("react-cra", HINT, `${publicHtml} exists`);

  // Vue CLI.
  const vueConfig = first(["vue.config.js", "vue.config.cjs", "vue.config.mjs"]);
  if (has("@vue/cli-service"))
    add("vue-cli", STRONG, `package.json depends on @vue/cli-service ${deps["@vue/cli-service"]}`);
  if (/(^|[\s&;])vue-cli-service (serve|build)\b/m.test(scripts))
    add("vue-cli", SCRIPT, "scripts run vue-cli-service");
  if (vueConfig) add("vue-cli", CONFIG, `${vueConfig} exists`);
  if (scores.has("vue-cli") && publicHtml && first(["src/App.vue"]))
    add("vue-cli", HINT, `${publicHtml} and src/App.vue exist`);

  const candidates = [...scores.values()].sort(compareCandidates);
  const top = candidates[0];
  const framework: Framework = top && top.score >= MIN_SCORE ? top.framework : "unknown";

  const tsconfig = first(["tsconfig.json"]);
  const typescript = tsconfig !== null || has("typescript");
  const parentOf = (dir: string) => (dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "");
  let srcRoot = index.hasFolder(at("src")) ? at("src") : appRoot;
  if (framework === "next-app" && appDir) srcRoot = parentOf(appDir);
  else if (framework === "next-pages" && pagesDir) srcRoot = parentOf(pagesDir);
  else if (framework !== "unknown") srcRoot = at("src");

  const routing = routingOf(framework, deps, appDir, pagesDir);
  const entryPoint = entryOf(framework, { appDir, pagesDir, entryFromHtml, first, index });
  const importAliases = await readTsconfigAliases(index, appRoot);
  if (viteConfig) importAliases.push(...viteConfigAliases(viteText, viteConfig));
  if (framework === "vue-cli" && !importAliases.some((alias) => alias.prefix === "@/")) {
    importAliases.push({ prefix: "@/", target: `${at("src")}/`, source: "Vue CLI's built-in alias" });
  }
  return {
    appRoot,
    framework,
    candidates,
    typescript,
    srcRoot,
    sourceDirs: sourceDirsOf(index, framework, appRoot, srcRoot),
    entryPoint,
    routing,
    importAliases: dedupeAliases(importAliases),
    dependencies: deps,
  };
}
