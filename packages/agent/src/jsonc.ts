/**
 * Parses JSON with comments and trailing commas (tsconfig.json, jsconfig.json). Returns null
 * for anything that still is not JSON: detection reads other people's files and must not throw.
 */
export function parseJsonc(text: string): unknown {
  let out = "";
  const commas: number[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      // Copy a string verbatim: "./src/*" holds "/*", which is not a comment.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i += 1;
    } else if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      if (ch === ",") commas.push(out.length);
      out += ch;
      i += 1;
    }
  }
  // Trailing commas, found outside strings only.
  for (const at of commas.reverse()) {
    if (/^\s*[}\]]/.test(out.slice(at + 1))) out = out.slice(0, at) + out.slice(at + 1);
  }
  try {
    return JSON.parse(out);
  } catch {
    return null;
  }
}

/** The value as a plain object, or null. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
