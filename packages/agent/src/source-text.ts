// Small lexical helpers for counting style evidence in JavaScript, TypeScript and Vue files.
// They are not parsers: they are right on the code formatters produce and degrade to "no
// evidence" on anything stranger, which the majority vote absorbs.

/** The code of a file: the <script> blocks of a Vue SFC, the file itself otherwise. */
export function scriptOf(path: string, content: string): string {
  if (!path.endsWith(".vue")) return content;
  return [...content.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)].map((match) => match[1]).join("\n");
}

/** The <style> blocks of a Vue SFC with their attributes. */
export function vueStyles(content: string): { attrs: string; css: string }[] {
  return [...content.matchAll(/<style\b([^>]*)>([\s\S]*?)<\/style>/gi)].map((match) => ({
    attrs: match[1] ?? "",
    css: match[2] ?? "",
  }));
}

/** A string literal found in code, with the character before it (ignoring spaces). */
export interface StringLiteral {
  quote: "'" | '"' | "`";
  value: string;
  /** The token before the opening quote: a word ("from"), "=>", or one punctuation character; "" at the start. */
  before: string;
  /** The character right before the opening quote (a space counts). */
  adjacent: string;
  /** The two characters right before the opening quote. */
  adjacent2: string;
}

/**
 * Code with comments removed and every string literal listed. Strings stop at the end of a
 * line (JSX text like `Don't` would otherwise swallow the rest of the file). Linear in the
 * file's length: output goes to an array and the previous token is tracked as it is emitted.
 */
export function lex(code: string): { code: string; strings: StringLiteral[] } {
  const out: string[] = [];
  const strings: StringLiteral[] = [];
  let token = "";
  let joined = false; // the last emitted character was part of `token` with no space after it
  const emit = (ch: string) => {
    out.push(ch);
    if (/\s/.test(ch)) {
      joined = false;
      return;
    }
    const word = /[\w$]/.test(ch);
    if (word && joined && /[\w$]$/.test(token)) token += ch;
    else if (ch === ">" && joined && token === "=") token = "=>";
    else token = ch;
    joined = true;
  };
  let i = 0;
  while (i < code.length) {
    const ch = code[i] as string;
    const next = code[i + 1];
    if (ch === "/" && next === "/" && code[i - 1] !== ":") {
      while (i < code.length && code[i] !== "\n") i += 1;
      joined = false;
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = code.indexOf("*/", i + 2);
      const stop = end < 0 ? code.length : end + 2;
      for (let k = i; k < stop; k += 1) if (code[k] === "\n") out.push("\n");
      i = stop;
      joined = false;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      const prev = code[i - 1] ?? "";
      // An apostrophe after a letter is prose inside JSX, not a string.
      if (ch === "'" && /[A-Za-z0-9]/.test(prev)) {
        emit(ch);
        i += 1;
        continue;
      }
      let j = i + 1;
      while (j < code.length && code[j] !== ch && (ch === "`" || code[j] !== "\n"))
        j += code[j] === "\\" ? 2 : 1;
      if (code[j] !== ch) {
        emit(ch);
        i += 1;
        continue;
      }
      strings.push({
        quote: ch,
        value: code.slice(i + 1, j),
        before: token,
        adjacent: prev,
        adjacent2: code.slice(Math.max(0, i - 2), i),
      });
      out.push(ch, code.slice(i + 1, j).replace(/[^\n]/g, " "), ch);
      token = ch;
      joined = true;
      i = j + 1;
      continue;
    }
    emit(ch);
    i += 1;
  }
  return { code: out.join(""), strings };
}

/** True when brackets on the line balance (strings already blanked by lex). */
export function balanced(line: string): boolean {
  let depth = 0;
  for (const ch of line) {
    if (ch === "(" || ch === "[" || ch === "{") depth += 1;
    else if (ch === ")" || ch === "]" || ch === "}") depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0;
}
