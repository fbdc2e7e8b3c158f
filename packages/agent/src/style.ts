import type { ImportAlias } from "./app-config";
import { asRecord, parseJsonc } from "./jsonc";
import { basename, stem } from "./paths";
import { balanced, lex, scriptOf, vueStyles } from "./source-text";

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
// Next.js route files whose default export the framework requires: they say nothing of taste.
const NEXT_SPECIAL =
  /^(page|layout|loading|error|not-found|template|default|route|global-error|middleware|instrumentation)$/;
const NOT_COMPONENT =
  /^(index|main|_app|_document|_error|vite-env\.d|setupTests|reportWebVitals|router|routes|store|utils?|types?)$/;
const TAILWIND_UTILITY =
  /^(?:[a-z0-9-]+:)*!?-?(?:flex|grid|block|inline|hidden|container|contents|relative|absolute|fixed|sticky|truncate|uppercase|italic|underline|antialiased|(?:p|px|py|pt|pb|pl|pr|m|mx|my|mt|mb|ml|mr|gap|gap-x|gap-y|space-x|space-y|w|h|size|min-w|max-w|min-h|max-h|text|bg|from|to|via|border|rounded|shadow|font|leading|tracking|items|justify|content|self|place|grid-cols|grid-rows|col-span|row-span|z|top|left|right|bottom|inset|opacity|ring|outline|divide|fill|stroke|overflow|whitespace|line-clamp|aspect|object|order|basis|grow|shrink|transition|duration|ease|animate|cursor|select|hover|focus|translate|scale|rotate)(?:-[\w./[\]#%-]+)?)$/;

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

type Count = (group: string, key: string, by?: number) => void;

function countIndent(content: string, count: Count): void {
  let previous = 0;
  for (const line of content.split("\n")) {
    if (line.trim() === "" || /^\s+\*/.test(line)) continue;
    const lead = /^[ \t]*/.exec(line)?.[0] ?? "";
    if (lead.startsWith("\t")) count("indent", "tab");
    else if (lead.length > 0) count("indent", "space");
    const width = lead.startsWith("\t") ? 0 : lead.length;
    const delta = width - previous;
    if (!lead.startsWith("\t") && (delta === 2 || delta === 4 || delta === 8 || delta === 3))
      count("indentSize", String(delta));
    previous = width;
  }
}

function countSemicolons(lines: string[], count: Count): void {
  for (const raw of lines) {
    const line = raw.trim();
    if (!/^(import|export|const|let|var|return|throw|await|break|continue)\b/.test(line)) continue;
    if (
      !balanced(line) ||
      /(\{|\(|\[|,|=|=>|&&|\|\||\?|:|\+|-|\*|\/|\.|<|>|\||`)$/.test(line.replace(/;$/, "").trim())
    )
      continue;
    if (/^export\s+(default\s+)?(async\s+)?(function|class|interface|enum)\b/.test(line)) continue;
    count("semicolons", line.endsWith(";") ? "yes" : "no");
  }
}

function countTrailingCommas(lines: string[], count: Count): void {
  const stack: ("type" | "value")[] = [];
  let previous = "";
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    const closer = line[0];
    if (closer === "}" || closer === "]" || closer === ")") {
      const kind = stack.pop() ?? "value";
      const call = closer === ")";
      if (kind === "value" && !/[[({]$/.test(previous)) {
        if (previous.endsWith(",")) count("trailingCommas", call ? "call-yes" : "literal-yes");
        else if (
          call ? /[\w"'`\]}]$/.test(previous) && !/>$/.test(previous) : closer === "]" || isProperty(previous)
        ) {
          if (!previous.endsWith(";")) count("trailingCommas", call ? "call-no" : "literal-no");
        }
      }
    }
    const opener = line[line.length - 1];
    if (opener === "{" || opener === "[" || opener === "(") {
      const typeContext =
        /^(export\s+)?(declare\s+)?(interface|type)\b/.test(line) ||
        (stack[stack.length - 1] === "type" && opener === "{");
      stack.push(typeContext ? "type" : "value");
    }
    previous = line;
  }
}

// `key: value`, `"key": value`, `...rest` or a shorthand `key` — an object literal's last member.
const isProperty = (line: string) =>
  !/^(case|default|return|break|continue|throw)\b/.test(line) &&
  (/^(?:[\w$]+|"[^"]*"|'[^']*'|\[[^\]]+\])\s*:\s*\S/.test(line) ||
    /^\.\.\.[\w$.]+$/.test(line) ||
    /^[\w$]+$/.test(line));

function countImports(strings: ReturnType<typeof lex>["strings"], prefixes: string[], count: Count) {
  for (const literal of strings) {
    if (!/^(from|import|\()$/.test(literal.before)) continue;
    const spec = literal.value;
    const known = prefixes.find((prefix) => spec.startsWith(prefix));
    if (known) count("importAlias", known);
    else if (/^[~#@]\//.test(spec)) count("importAlias", spec.slice(0, 2));
    else if (spec.startsWith("./") || spec.startsWith("../")) count("importAlias", "relative");
  }
}

function countExports(file: SourceFile, code: string, count: Count): void {
  if (!/\.(tsx|jsx|js|ts)$/.test(file.path) || /\.d\.ts$/.test(file.path)) return;
  const special = NEXT_SPECIAL.test(stem(file.path)) ? "special:" : "";
  if (/^export\s+default\s+(async\s+)?function\b/m.test(code)) {
    count("exports", `${special}default-function`);
    return;
  }
  const defaultName = /^export\s+default\s+([A-Z][\w$]*)\s*;?\s*$/m.exec(code)?.[1];
  if (defaultName) {
    const arrow = new RegExp(
      `\\b(const|let)\\s+${defaultName}\\b[^=]*=\\s*(async\\s*)?(\\([^)]*\\)|[\\w$]+)\\s*(:[^=]+)?=>`,
    );
    const fn = new RegExp(`\\bfunction\\s+${defaultName}\\b`);
    if (arrow.test(code)) count("exports", `${special}default-arrow`);
    else if (fn.test(code)) count("exports", `${special}default-function`);
    return;
  }
  if (/^export\s+default\s+(async\s*)?\(/m.test(code)) count("exports", `${special}default-arrow`);
  else if (/^export\s+(const|function)\s+[A-Z]/m.test(code)) count("exports", `${special}named`);
}

function countCss(file: SourceFile, strings: ReturnType<typeof lex>["strings"], count: Count): void {
  for (const literal of strings) {
    const spec = literal.value;
    if (/\.module\.(css|scss|sass|less)$/.test(spec)) count("css", "css-modules", 3);
    else if (/\.(scss|sass)$/.test(spec)) count("css", "scss", 2);
    else if (/\.css$/.test(spec) && /^(from|import)$/.test(literal.before)) count("css", "plain-css", 1);
    else if (spec === "styled-components") count("css", "styled-components", 3);
    else if (/^@emotion\/(styled|react|css)$/.test(spec)) count("css", "emotion", 3);
  }
  if (file.path.endsWith(".vue")) {
    for (const style of vueStyles(file.content)) {
      if (/\bscoped\b/.test(style.attrs)) count("css", "vue-scoped", 3);
      if (/\bmodule\b/.test(style.attrs)) count("css", "css-modules", 3);
      if (/lang=["'](scss|sass)["']/.test(style.attrs)) count("css", "scss", 2);
      if (/@apply\b/.test(style.css)) count("css", "tailwind", 1);
    }
  }
  if (/className=\{\s*styles\.|:class="\$style/.test(file.content)) count("css", "css-modules", 1);
  // Class lists: mostly utilities means Tailwind; mostly semantic names means a style sheet.
  const classLists = [...file.content.matchAll(/\b(?:className|class)\s*=\s*(?:\{\s*)?["'`]([^"'`]+)["'`]/g)];
  let utility = 0;
  let semantic = 0;
  for (const match of classLists) {
    for (const token of (match[1] ?? "").split(/\s+/).filter(Boolean)) {
      if (token.includes("${")) continue;
      if (TAILWIND_UTILITY.test(token)) utility += 1;
      else semantic += 1;
    }
  }
  if (utility >= 3 && utility >= semantic) count("css", "tailwind", 3);
  else if (semantic >= 2 && semantic > utility) count("css", "plain-css", 1);
}

function countCssFile(file: SourceFile, count: Count): void {
  if (/@tailwind\b|@import\s+["']tailwindcss|@apply\b/.test(file.content)) count("css", "tailwind", 3);
  else if (/\.module\.\w+$/.test(file.path)) count("css", "css-modules", 2);
  else if (/\.(scss|sass)$/.test(file.path)) count("css", "scss", 2);
  else count("css", "plain-css", 1);
}

function countNaming(path: string, content: string, count: Count): void {
  const name = stem(path);
  const isComponentFile =
    /\.(tsx|jsx|vue)$/.test(path) || (/\.js$/.test(path) && /<[A-Z][\w.]*[\s/>]/.test(content));
  if (!isComponentFile || NEXT_SPECIAL.test(name) || NOT_COMPONENT.test(name)) return;
  count("componentExtension", path.slice(path.lastIndexOf(".")));
  if (/^[A-Z][A-Za-z0-9]*$/.test(name)) count("naming", "PascalCase");
  else if (/^[a-z0-9]+(-[a-z0-9]+)+$/.test(name)) count("naming", "kebab-case");
  else if (/^[a-z][a-z0-9]*[A-Z]/.test(name)) count("naming", "camelCase");
  else if (/^[a-z0-9]+(_[a-z0-9]+)+$/.test(name)) count("naming", "snake_case");
  else if (/^[a-z0-9]+$/.test(name)) count("naming", "kebab-case", 0.5);
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
