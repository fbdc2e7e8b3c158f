import type { ImportAlias } from "./app-config";
import type { Framework, Routing, RoutingPattern } from "./framework";
import { joinPath } from "./paths";
import type { RepoIndex } from "./snapshot";

// Where an app's parts are once its framework is known: routing, entry point, writable folders.

const codeFiles = (stem: string, exts = ["tsx", "jsx", "ts", "js"]) => exts.map((ext) => `${stem}.${ext}`);

/** How the app maps URLs to files. */
export function routingOf(
  framework: Framework,
  deps: Record<string, string>,
  appDir: string | null,
  pagesDir: string | null,
): Routing {
  if (framework === "next-app" && appDir) {
    return pagesDir
      ? { pattern: "next-app-router", appDir, pagesDir }
      : { pattern: "next-app-router", appDir };
  }
  if (framework === "next-pages" && pagesDir) return { pattern: "next-pages-router", pagesDir };
  const router = ["react-router-dom", "react-router", "vue-router", "@tanstack/react-router", "wouter"].find(
    (name) => Object.hasOwn(deps, name),
  );
  if (!router) return { pattern: "none" };
  const pattern: RoutingPattern =
    router === "vue-router" ? "vue-router" : router.startsWith("react-router") ? "react-router" : "other";
  return { pattern, library: `${router}@${deps[router]}` };
}

/** The file the app starts from. */
export function entryOf(
  framework: Framework,
  found: {
    appDir: string | null;
    pagesDir: string | null;
    entryFromHtml: string | null;
    first: (paths: string[]) => string | null;
    index: RepoIndex;
  },
): string | null {
  const { appDir, pagesDir, entryFromHtml, first, index } = found;
  switch (framework) {
    case "next-app":
      return appDir ? index.firstFile(codeFiles(`${appDir}/layout`)) : null;
    case "next-pages":
      return pagesDir
        ? index.firstFile([...codeFiles(`${pagesDir}/_app`), ...codeFiles(`${pagesDir}/index`)])
        : null;
    case "react-vite":
    case "vue-vite":
      return entryFromHtml && index.hasFile(entryFromHtml) ? entryFromHtml : first(codeFiles("src/main"));
    case "react-cra":
      return first(codeFiles("src/index"));
    case "vue-cli":
      return first(codeFiles("src/main", ["ts", "js"]));
    default:
      return null;
  }
}

// Next.js keeps code beside app/ and pages/ when there is no src/; the SPAs keep it all in src/.
const NEXT_FOLDERS = ["app", "pages", "components", "lib", "hooks", "styles", "utils"];

/** The folders the agent may write in. */
export function sourceDirsOf(
  index: RepoIndex,
  framework: Framework,
  appRoot: string,
  srcRoot: string,
): string[] {
  const at = (path: string) => joinPath(appRoot, path);
  let dirs: string[];
  if (framework === "next-app" || framework === "next-pages") {
    dirs = srcRoot === at("src") ? [at("src")] : [];
    dirs.push(...NEXT_FOLDERS.map(at).filter((dir) => index.hasFolder(dir) && dir !== appRoot));
    if (!dirs.includes(at("src"))) dirs.push(at("components"));
  } else if (framework === "unknown") {
    dirs = ["src", "app", "pages", "components"].map(at).filter((dir) => index.hasFolder(dir) && dir !== "");
  } else {
    dirs = [at("src")];
  }
  // A folder inside another listed folder adds nothing.
  const unique = [...new Set(dirs)].filter((dir) => dir !== "");
  return unique.filter((dir) => !unique.some((other) => other !== dir && dir.startsWith(`${other}/`))).sort();
}

/** The first alias of each prefix. */
export function dedupeAliases(aliases: ImportAlias[]): ImportAlias[] {
  const seen = new Set<string>();
  return aliases.filter((alias) => {
    if (seen.has(alias.prefix)) return false;
    seen.add(alias.prefix);
    return true;
  });
}
