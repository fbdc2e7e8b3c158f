import { stem } from "./paths";
import { balanced, type StringLiteral, vueStyles } from "./source-text";
import type { SourceFile } from "./style";

// The counters behind detectStyle: each adds what one file shows to the evidence tally.

// Next.js route files whose default export the framework requires: they say nothing of taste.
const NEXT_SPECIAL =
  /^(page|layout|loading|error|not-found|template|default|route|global-error|middleware|instrumentation)$/;
const NOT_COMPONENT =
  /^(index|main|_app|_document|_error|vite-env\.d|setupTests|reportWebVitals|router|routes|store|utils?|types?)$/;
const TAILWIND_UTILITY =
  /^(?:[a-z0-9-]+:)*!?-?(?:flex|grid|block|inline|hidden|container|contents|relative|absolute|fixed|sticky|truncate|uppercase|italic|underline|antialiased|(?:p|px|py|pt|pb|pl|pr|m|mx|my|mt|mb|ml|mr|gap|gap-x|gap-y|space-x|space-y|w|h|size|min-w|max-w|min-h|max-h|text|bg|from|to|via|border|rounded|shadow|font|leading|tracking|items|justify|content|self|place|grid-cols|grid-rows|col-span|row-span|z|top|left|right|bottom|inset|opacity|ring|outline|divide|fill|stroke|overflow|whitespace|line-clamp|aspect|object|order|basis|grow|shrink|transition|duration|ease|animate|cursor|select|hover|focus|translate|scale|rotate)(?:-[\w./[\]#%-]+)?)$/;

/** Adds `by` (default 1) to `key` in the evidence `group`. */
export type Count = (group: string, key: string, by?: number) => void;

/** Tabs vs spaces per indented line, and the size of each indentation step. */
export function countIndent(content: string, count: Count): void {
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

/** Complete one-line statements that end with or without a semicolon. */
export function countSemicolons(lines: string[], count: Count): void {
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

/** The last line before a closing bracket: a comma or not, in literals and in calls. */
export function countTrailingCommas(lines: string[], count: Count): void {
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

/** Import specifiers: which alias prefix, or relative. */
export function countImports(strings: StringLiteral[], prefixes: string[], count: Count) {
  for (const literal of strings) {
    if (!/^(from|import|\()$/.test(literal.before)) continue;
    const spec = literal.value;
    const known = prefixes.find((prefix) => spec.startsWith(prefix));
    if (known) count("importAlias", known);
    else if (/^[~#@]\//.test(spec)) count("importAlias", spec.slice(0, 2));
    else if (spec.startsWith("./") || spec.startsWith("../")) count("importAlias", "relative");
  }
}

/** How a file exports its component; Next.js route files are marked `special:`. */
export function countExports(file: SourceFile, code: string, count: Count): void {
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

/** Styling evidence in a code file: imports, <style> blocks and class lists. */
export function countCss(file: SourceFile, strings: StringLiteral[], count: Count): void {
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

/** Styling evidence in a style sheet. */
export function countCssFile(file: SourceFile, count: Count): void {
  if (/@tailwind\b|@import\s+["']tailwindcss|@apply\b/.test(file.content)) count("css", "tailwind", 3);
  else if (/\.module\.\w+$/.test(file.path)) count("css", "css-modules", 2);
  else if (/\.(scss|sass)$/.test(file.path)) count("css", "scss", 2);
  else count("css", "plain-css", 1);
}

/** The naming convention and extension of a component file. */
export function countNaming(path: string, content: string, count: Count): void {
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
