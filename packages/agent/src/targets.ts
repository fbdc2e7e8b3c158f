import type { FrameworkDetection } from "./framework";
import { importBindings, resolveImport } from "./imports";
import { nameKey, splitWords } from "./names";
import { basename, dirname, extname, relativeTo, stem } from "./paths";
import {
  matchRoute,
  nextSegment,
  patternParts,
  type RouteMatch,
  routeExtent,
  routeSegments,
  spaSegment,
} from "./routes";
import { RepoIndex, type RepoSnapshot } from "./snapshot";

/** What an experiment changes: a page by its URL path, or a component by its name. */
export type TargetSpec = { kind: "page"; route: string } | { kind: "component"; name: string };

export type CandidateRole = "page" | "layout" | "component" | "route-definition" | "usage" | "style";

/** A file the agent may change for the target, with the reasons it was proposed. */
export interface TargetCandidate {
  path: string;
  role: CandidateRole;
  score: number;
  reasons: string[];
}

export interface FindTargetOptions {
  /** Blobs read at most (router files, pages, declarations). */
  maxReads?: number;
  /** Files larger than this are not read. */
  maxFileBytes?: number;
}

const CODE = /\.(tsx|ts|jsx|js|mjs|vue)$/;
const NOT_SOURCE = /(\.d\.ts|\.(test|spec|stories|story)\.\w+)$|(^|\/)(__tests__|__mocks__|node_modules)\//;
const STYLE = /\.(css|scss|sass|less)$/;
const SCORE = { exact: 100, param: 75, rest: 50 } as const satisfies Record<RouteMatch, number>;

/**
 * Ranks the files that implement a page or a component. Code decides what is plausible; the
 * LLM later chooses among the candidates. Only files inside the app's source folders are listed.
 */
export async function findTargetFiles(
  snapshot: RepoSnapshot,
  detection: FrameworkDetection,
  target: TargetSpec,
  options: FindTargetOptions = {},
): Promise<TargetCandidate[]> {
  const finder = new Finder(
    new RepoIndex(snapshot, options.maxReads ?? 40),
    detection,
    options.maxFileBytes ?? 200_000,
  );
  if (target.kind === "page") await finder.page(target.route);
  else await finder.component(target.name);
  return finder.list();
}

class Finder {
  private readonly found = new Map<string, TargetCandidate>();
  private readonly sources: string[];

  constructor(
    private readonly index: RepoIndex,
    private readonly detection: FrameworkDetection,
    private readonly maxFileBytes: number,
  ) {
    this.sources = index.files.filter(
      (path) => this.inSourceDirs(path) && (CODE.test(path) || STYLE.test(path)) && !NOT_SOURCE.test(path),
    );
  }

  list(): TargetCandidate[] {
    return [...this.found.values()].sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
  }

  private inSourceDirs(path: string): boolean {
    return this.detection.sourceDirs.some((dir) => path.startsWith(`${dir}/`));
  }

  private add(path: string, role: CandidateRole, score: number, reason: string): void {
    if (!this.inSourceDirs(path)) return;
    const existing = this.found.get(path);
    if (!existing) {
      this.found.set(path, { path, role, score, reasons: [reason] });
      return;
    }
    if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
    if (score > existing.score) {
      existing.score = score;
      existing.role = role;
    }
  }

  private async readSmall(path: string): Promise<string | null> {
    const size = this.index.size(path);
    if (size !== undefined && size > this.maxFileBytes) return null;
    return this.index.read(path);
  }

  async page(route: string): Promise<void> {
    const segments = routeSegments(route);
    const { routing } = this.detection;
    if (routing.appDir) this.nextAppPages(routing.appDir, segments, route);
    if (routing.pagesDir) this.nextPages(routing.pagesDir, segments, route);
    if (!routing.appDir && !routing.pagesDir) {
      await this.routeTables(segments, route);
      this.pagesByName(segments);
    }
    await this.importedByPages();
  }

  private nextAppPages(appDir: string, route: string[], routeText: string): void {
    for (const path of this.index.filesUnder(appDir)) {
      const rel = relativeTo(path, appDir) as string;
      const parts = rel.split("/");
      const file = parts.pop() as string;
      if (!/^page\.(tsx|jsx|ts|js|mdx)$/.test(file)) continue;
      const groups: string[] = [];
      const pattern = [];
      let routable = true;
      for (const part of parts) {
        // _folders are private, (.)folders intercept another route, @folders are parallel slots.
        if (part.startsWith("_") || /^\(\.{1,3}\)/.test(part)) routable = false;
        else if (/^\(.+\)$/.test(part)) groups.push(part);
        else if (!part.startsWith("@")) pattern.push(nextSegment(part));
      }
      const match = routable ? matchRoute(pattern, route) : null;
      if (!match) continue;
      const reasons = [`app router page for ${routeText}${match === "exact" ? "" : ` (${match} segment)`}`];
      if (groups.length > 0) reasons.push(`inside route group ${groups.join("/")}`);
      for (const reason of reasons) this.add(path, "page", SCORE[match], reason);
      // The layouts around the page, nearest first.
      let folder = dirname(path);
      let score = 30;
      while (folder.startsWith(appDir)) {
        const layout = this.index.firstFile(
          ["tsx", "jsx", "ts", "js"].map((ext) => `${folder}/layout.${ext}`),
        );
        if (layout) {
          this.add(layout, "layout", score, `layout around ${path}`);
          score = Math.max(score - 5, 10);
        }
        if (folder === appDir) break;
        folder = dirname(folder);
      }
    }
  }

  private nextPages(pagesDir: string, route: string[], routeText: string): void {
    for (const path of this.index.filesUnder(pagesDir)) {
      const rel = relativeTo(path, pagesDir) as string;
      if (!/\.(tsx|jsx|ts|js|mdx)$/.test(rel) || rel.startsWith("api/") || basename(rel).startsWith("_"))
        continue;
      const parts = rel.slice(0, -extname(rel).length).split("/");
      if (parts[parts.length - 1] === "index") parts.pop();
      const match = matchRoute(parts.map(nextSegment), route);
      if (match) {
        this.add(
          path,
          "page",
          SCORE[match],
          `pages router page for ${routeText}${match === "exact" ? "" : ` (${match} segment)`}`,
        );
      }
    }
    const app = this.index.firstFile(["tsx", "jsx", "ts", "js"].map((ext) => `${pagesDir}/_app.${ext}`));
    if (app && this.found.size > 0) this.add(app, "layout", 25, "custom App wraps every page");
  }

  /** Route tables of react-router and vue-router: `path: "/pricing"` or `<Route path="/pricing">`. */
  private async routeTables(route: string[], routeText: string): Promise<void> {
    const rank = (path: string) =>
      /rout/i.test(path) ? 0 : /(^|\/)(App|main|index)\.\w+$/.test(path) ? 1 : 2;
    const files = this.sources
      .filter((path) => CODE.test(path))
      .sort((a, b) => rank(a) - rank(b) || a.length - b.length || (a < b ? -1 : 1));
    for (const file of files) {
      const code = await this.readSmall(file);
      if (code === null) {
        if (this.index.reads >= this.index.maxReads) return;
        continue;
      }
      if (!/\bpath\s*[:=]/.test(code)) continue;
      const literals = [...code.matchAll(/\bpath\s*[:=]\s*\{?\s*(["'`])([^"'`\n]*)\1/g)];
      literals.forEach((literal, i) => {
        const value = literal[2] as string;
        const absolute = value.startsWith("/");
        const pattern = patternParts(value).map(spaSegment);
        // A relative child path ("pricing" under "/") is matched against the end of the route.
        const match = absolute
          ? matchRoute(pattern, route)
          : pattern.length > 0 && route.length >= pattern.length
            ? matchRoute(pattern, route.slice(route.length - pattern.length))
            : null;
        if (!match || (pattern.length === 0 && route.length > 0)) return;
        const score = SCORE[match] - (absolute ? 10 : 25);
        const line = code.slice(0, literal.index).split("\n").length;
        this.add(file, "route-definition", score, `defines path "${value}" for ${routeText} (line ${line})`);
        const previousEnd = i > 0 ? (literals[i - 1]?.index ?? 0) + (literals[i - 1]?.[0].length ?? 0) : 0;
        const nextStart = literals[i + 1]?.index ?? code.length;
        const [ownStart, ownEnd] = routeExtent(code, literal.index, literal[0].includes(":"));
        const start = Math.max(previousEnd, ownStart);
        const end = Math.min(nextStart, ownEnd);
        this.routeComponent(file, code, start, end, literal.index, value, score + 5);
      });
    }
  }

  private routeComponent(
    file: string,
    code: string,
    start: number,
    end: number,
    at: number,
    value: string,
    score: number,
  ) {
    const window = code.slice(start, end);
    const patterns = [
      /\belement\s*[:=]\s*\{?\s*<\s*([A-Z][\w$]*)/g,
      /\b[Cc]omponent\s*[:=]\s*\{?\s*([A-Z][\w$]*)/g,
      /\b(?:component|lazy)\s*:\s*(?:\(\s*\)\s*=>\s*)?import\(\s*["']([^"']+)["']/g,
    ];
    let best: { text: string; distance: number; isImport: boolean } | null = null;
    for (const [n, pattern] of patterns.entries()) {
      for (const match of window.matchAll(pattern)) {
        const distance = Math.abs(start + match.index - at);
        if (!best || distance < best.distance)
          best = { text: match[1] as string, distance, isImport: n === 2 };
      }
    }
    if (!best) return;
    const aliases = this.detection.importAliases;
    let resolved: string | null;
    let how: string;
    if (best.isImport) {
      resolved = resolveImport(this.index, file, best.text, aliases);
      how = `lazily imported from "${best.text}"`;
    } else {
      const binding = importBindings(code).find((item) => item.name === best.text);
      resolved = binding ? resolveImport(this.index, file, binding.specifier, aliases) : file;
      how = binding ? `${best.text} from "${binding.specifier}"` : `${best.text}, defined in ${file}`;
    }
    if (resolved) this.add(resolved, "page", score, `rendered for "${value}" by ${file} (${how})`);
  }

  /** Files named after the route's last segment in pages/, views/, routes/ or screens/. */
  private pagesByName(route: string[]): void {
    const last = route[route.length - 1];
    if (!last || last.startsWith(":")) return;
    const key = nameKey(last);
    for (const path of this.sources) {
      if (!CODE.test(path)) continue;
      const name = stem(path) === "index" ? basename(dirname(path)) : stem(path);
      const bare = nameKey(name).replace(/(page|view|screen|route)$/, "");
      if (bare !== key) continue;
      const inPages = /(^|\/)(pages|views|routes|screens)\//.test(path);
      this.add(path, "page", inPages ? 40 : 25, `file name ${basename(path)} matches "${last}"`);
    }
  }

  /** Components and style sheets imported by the best page candidates. */
  private async importedByPages(): Promise<void> {
    const pages = this.list()
      .filter((item) => item.role === "page" && item.score >= 60)
      .slice(0, 2);
    for (const page of pages) {
      const code = await this.readSmall(page.path);
      if (code === null) continue;
      for (const binding of importBindings(code)) {
        const resolved = resolveImport(
          this.index,
          page.path,
          binding.specifier,
          this.detection.importAliases,
        );
        if (!resolved || resolved === page.path) continue;
        if (STYLE.test(resolved)) this.add(resolved, "style", 20, `style sheet of ${page.path}`);
        else if (/^[A-Z]/.test(binding.name) && CODE.test(resolved)) {
          this.add(resolved, "component", 45, `imported by ${page.path} as ${binding.name}`);
        }
      }
    }
  }

  async component(name: string): Promise<void> {
    const key = nameKey(name);
    if (key === "") return;
    for (const path of this.sources) {
      const own = stem(path);
      const folder = basename(dirname(path));
      if (STYLE.test(path)) {
        if (nameKey(own.replace(/\.module$/, "")) === key)
          this.add(path, "style", 20, `style sheet named ${basename(path)}`);
      } else if (own === name) this.add(path, "component", 100, `file name is ${basename(path)}`);
      else if (nameKey(own) === key)
        this.add(path, "component", 90, `file name ${basename(path)} matches ${name}`);
      else if (own === "index" && nameKey(folder) === key)
        this.add(path, "component", 90, `index of folder ${folder}/`);
    }
    // Declarations and usages: read files whose path shares a word with the name first.
    const words = splitWords(name);
    const related = (path: string) => (words.some((word) => path.toLowerCase().includes(word)) ? 0 : 1);
    const files = this.sources.filter((path) => CODE.test(path)).sort((a, b) => related(a) - related(b));
    const escaped = name.replace(/[^\w$]/g, "");
    const declares = new RegExp(`\\b(?:function|class|const|let|var)\\s+${escaped}\\b`);
    const uses = new RegExp(`<${escaped}[\\s/>]`);
    for (const file of files) {
      if (escaped === "") break;
      const code = await this.readSmall(file);
      if (code === null) {
        if (this.index.reads >= this.index.maxReads) break;
        continue;
      }
      if (declares.test(code)) this.add(file, "component", 70, `declares ${escaped}`);
      else if (uses.test(code)) this.add(file, "usage", 30, `renders <${escaped}>`);
    }
  }
}
