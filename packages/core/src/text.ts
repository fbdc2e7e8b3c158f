/** Folds case and whitespace so near-identical copy compares equal. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/g;

/** Context keys a `{{key}}` template needs. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}

/**
 * Fills `{{key}}` placeholders from the request context. Returns null when a value is missing,
 * so the caller can fall back to copy that needs no personal data instead of showing "{{name}}".
 */
export function renderTemplate(template: string, context: Readonly<Record<string, string>>): string | null {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_, key: string) => {
    const value = context[key];
    if (value === undefined || value.trim() === "") {
      missing = true;
      return "";
    }
    return value;
  });
  return missing ? null : out;
}

/** Length in code points, so one emoji counts as one character. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
