/** Folds case and whitespace so near-identical copy compares equal. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * `{{key}}`, or `{{key|fallback}}` with the words to show when the context has no value for key.
 * packages/llm's validator accepts the same grammar: anything else reaches users verbatim.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*(?:\|([^{}|]{0,64}))?\}\}/g;

/** Context keys a `{{key}}` template names (with or without a fallback). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * The first `{{` or `}}` left once every well-formed placeholder is taken out, or null: copy
 * like "Hi {{first name}}" would otherwise reach end users with its braces.
 */
export function strayBraces(template: string): string | null {
  const rest = template.replace(PLACEHOLDER, "");
  const at = rest.search(/\{\{|\}\}/);
  return at < 0 ? null : rest.slice(Math.max(0, at - 8), at + 10);
}

/** The context's own value for key: `{{constructor}}` must not find Object.prototype's. */
function lookup(context: Readonly<Record<string, string>>, key: string): string | undefined {
  if (!Object.hasOwn(context, key)) return undefined;
  const value: unknown = context[key];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/**
 * Fills `{{key}}` placeholders from the request context (a `{{key|fallback}}` uses its fallback
 * when the key has no value). Returns null when a value is still missing, so the caller can fall
 * back to copy that needs no personal data instead of showing "{{name}}".
 */
export function renderTemplate(template: string, context: Readonly<Record<string, string>>): string | null {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_, key: string, fallback: string | undefined) => {
    const value = lookup(context, key) ?? fallback?.trim();
    if (value === undefined) missing = true;
    return value ?? "";
  });
  return missing ? null : out;
}

/**
 * Renders and never fails: a placeholder with no value and no fallback is dropped, and the
 * sentence is tidied around the gap ("Hi {{name}}, welcome" → "Hi, welcome";
 * "{{name}}, welcome" → "Welcome"). The last resort for the app's own base example, so an end
 * user never sees braces.
 */
export function renderTemplateDropping(template: string, context: Readonly<Record<string, string>>): string {
  const rendered = renderTemplate(template, context);
  if (rendered !== null) return rendered;
  // A private-use character marks each gap; any in the template itself is dropped first.
  const GAP = "\uE000";
  let out = template
    .replace(/\uE000/g, "")
    .replace(
      PLACEHOLDER,
      (_, key: string, fallback: string | undefined) => lookup(context, key) ?? fallback?.trim() ?? GAP,
    );
  const leadingGap = out.trimStart().startsWith(GAP);
  out = out
    .replace(/[ \t]*\uE000[ \t]*/g, " ")
    .replace(/ +([,.!?;:…)])/g, "$1")
    .replace(/([(]) +/g, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
  if (leadingGap) {
    out = out.replace(/^[\s,;:.!?…-]+/u, "");
    out = out.charAt(0).toLocaleUpperCase() + out.slice(1);
  }
  return out;
}

/** Length in code points, so one emoji counts as one character. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
