import type { ImportAlias } from "./app-config";
import { asRecord, parseJsonc } from "./jsonc";
import { basename } from "./paths";
import { lex, scriptOf } from "./source-text";
import {
  countCss,
  countCssFile,
  countExports,
  countImports,
  countIndent,
  countNaming,
  countSemicolons,
  countTrailingCommas,
} from "./style-counters";

/** A file the style is read from. */
export interface SourceFile {
  path: string;
  content: string;
}

export type CssApproach =
  | "tailwind"
  | "css-modules"
  | "styled-components"
  | "emotion"
  | "scss"
  | "vue-scoped"
  | "plain-css"
  | "unknown";
export type ExportStyle = "default-function" | "default-arrow" | "named" | "unknown";
export type ComponentNaming = "PascalCase" | "kebab-case" | "camelCase" | "snake_case" | "unknown";

/** The conventions of a codebase, each decided by a majority of what its files do. */
export interface CodeStyle {
  indent: { kind: "space" | "tab"; size: number };
  quotes: "single" | "double";
  semicolons: boolean;
  /** Prettier's names: "all" (also in calls and parameters), "es5" (literals only), "none". */
  trailingCommas: "all" | "es5" | "none";
  css: CssApproach;
  /** Every styling approach seen, most evidence first. */
  cssAll: CssApproach[];
  importAlias: string | null;
  exportStyle: ExportStyle;
  typescript: boolean;
  /** Client components start with "use client" (Next.js app router). */
  useClient: boolean;
  componentNaming: ComponentNaming;
  /** The extension most component files have (".tsx", ".jsx", ".js", ".vue"). */
  componentExtension: string | null;
  /** The counts behind each decision. */
  evidence: Record<string, Record<string, number>>;
}

export interface DetectStyleOptions {
  /** The app's aliases (from detection), used when the files import none. */
  aliases?: readonly ImportAlias[];
  /** The app's package.json dependencies (tailwindcss, styled-components, sass…). */
  dependencies?: Record<string, string>;
}

const CODE = /\.(tsx|ts|jsx|js|mjs|cjs|vue)$/;
const CSS = /\.(css|scss|sass|less)$/;

/** Detects indentation, quotes, semicolons, commas, CSS approach, aliases, exports and naming by counting. */
export function detectStyle(files: readonly SourceFile[], options: DetectStyleOptions = {}): CodeStyle {
  const count = (group: string, key: string, by = 1) => {
    const bucket = evidence[group] ?? {};
    bucket[key] = (bucket[key] ?? 0) + by;
    evidence[group] = bucket;
  };
  const evidence: Record<string, Record<string, number>> = {};
  const aliasPrefixes = (options.aliases ?? []).map((alias) => alias.prefix);
  for (const file of files) {
    const name = basename(file.path);
    if (/^(tsconfig|jsconfig)(\.\w+)?\.json$/.test(name)) {
      const paths = asRecord(asRecord(asRecord(parseJsonc(file.content))?.compilerOptions)?.paths) ?? {};
      for (const key of Object.keys(paths)) if (key.endsWith("/*")) aliasPrefixes.push(key.slice(0, -1));
      continue;
    }
    countIndent(file.content, count);
    if (CSS.test(file.path)) {
      countCssFile(file, count);
      continue;
    }
    if (!CODE.test(file.path)) continue;
    const { code, strings } = lex(scriptOf(file.path, file.content));
    const lines = code.split("\n");
    for (const literal of strings) {
      if (literal.quote === "`") continue;
      // `className="x"` and `<a href="…">`: JSX attributes keep double quotes under every formatter.
      if (literal.adjacent === "=" && /[\w-]=$/.test(literal.adjacent2)) continue;
      if (!/^([(,=:[{?+!&|;]|=>|from|import|return|case|in|of|)$/.test(literal.before)) continue;
      count("quotes", literal.quote === "'" ? "single" : "double");
    }
    countSemicolons(lines, count);
    countTrailingCommas(lines, count);
    countImports(strings, aliasPrefixes, count);
    countExports(file, code, count);
    countCss(file, strings, count);
    const isTs =
      /\.tsx?$/.test(file.path) ||
      (file.path.endsWith(".vue") && /<script\b[^>]*lang=["']ts["']/.test(file.content));
    count("typescript", isTs ? "ts" : "js");
    const first = strings[0];
    if (first && first.before === "" && first.value === "use client") count("useClient", "yes");
    countNaming(file.path, file.content, count);
  }
  for (const [dep, approach, points] of [
    ["tailwindcss", "tailwind", 2],
    ["styled-components", "styled-components", 2],
    ["@emotion/react", "emotion", 2],
    ["@emotion/styled", "emotion", 2],
    ["sass", "scss", 1],
  ] as const) {
    if (options.dependencies && Object.hasOwn(options.dependencies, dep)) count("css", approach, points);
  }
  return decide(evidence, aliasPrefixes);
}

/** The key with the most evidence, ties broken by the order of `keys`. */
function majority<K extends string>(
  bucket: Record<string, number> | undefined,
  keys: readonly K[],
  fallback: K,
): K {
  let best = fallback;
  let bestCount = 0;
  for (const key of keys) {
    const n = bucket?.[key] ?? 0;
    if (n > bestCount) {
      best = key;
      bestCount = n;
    }
  }
  return best;
}

function decide(evidence: Record<string, Record<string, number>>, aliasPrefixes: string[]): CodeStyle {
  const indentKind = majority(evidence.indent, ["space", "tab"] as const, "space");
  const size = Number(majority(evidence.indentSize, ["2", "4", "8", "3"] as const, "2"));
  const commas = evidence.trailingCommas ?? {};
  const literalYes = (commas["literal-yes"] ?? 0) + (commas["call-yes"] ?? 0) > (commas["literal-no"] ?? 0);
  const callNo = (commas["call-no"] ?? 0) > (commas["call-yes"] ?? 0);
  const cssScores = Object.entries(evidence.css ?? {}).sort((a, b) => b[1] - a[1]);
  const exports = evidence.exports ?? {};
  // Next's route files must default-export; count them only when nothing else says anything.
  const free = Object.keys(exports).some((key) => !key.startsWith("special:"));
  const exportCounts: Record<string, number> = {};
  for (const [key, n] of Object.entries(exports)) {
    if (free && key.startsWith("special:")) continue;
    const clean = key.replace(/^special:/, "");
    exportCounts[clean] = (exportCounts[clean] ?? 0) + n;
  }
  const aliasCounts = { ...(evidence.importAlias ?? {}) };
  delete aliasCounts.relative;
  const observed = Object.entries(aliasCounts).sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    indent: { kind: indentKind, size: indentKind === "tab" ? 1 : size },
    quotes: majority(evidence.quotes, ["double", "single"] as const, "double"),
    semicolons: majority(evidence.semicolons, ["yes", "no"] as const, "yes") === "yes",
    trailingCommas: !literalYes
      ? Object.keys(commas).length === 0
        ? "all"
        : "none"
      : callNo
        ? "es5"
        : "all",
    css: (cssScores[0]?.[0] as CssApproach | undefined) ?? "unknown",
    cssAll: cssScores.map(([key]) => key as CssApproach),
    importAlias: observed ?? aliasPrefixes[0] ?? null,
    exportStyle: majority(
      exportCounts,
      ["default-function", "named", "default-arrow"] as const,
      "unknown" as ExportStyle,
    ),
    typescript: majority(evidence.typescript, ["ts", "js"] as const, "ts") === "ts",
    useClient: (evidence.useClient?.yes ?? 0) > 0,
    componentNaming: majority(
      evidence.naming,
      ["PascalCase", "kebab-case", "camelCase", "snake_case"] as const,
      "unknown" as ComponentNaming,
    ),
    componentExtension:
      Object.entries(evidence.componentExtension ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    evidence,
  };
}
