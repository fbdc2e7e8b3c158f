/** Longest notification copy we accept, in code points (an emoji such as 🎉 counts as one). */
export const MAX_VARIANT_LENGTH = 240;

export interface ValidationResult {
  accepted: string[];
  rejected: { text: string; reason: string }[];
}

export interface ValidateOptions {
  avoid: readonly string[];
  count: number;
  maxLength?: number;
  contextKeys?: readonly string[];
}

/**
 * Folds text for distinctness checks: NFKC, lower case, whitespace runs to one space, trimmed (exactly
 * what @pushbunny/core's normalizeText does, so anything distinct here is distinct in the database
 * too), then curly quotes to straight ones and leading/trailing sentence punctuation (. ! ? … ¡ ¿)
 * dropped. "Ready?" and "ready!" are the same copy to a reader; emoji and inner punctuation are kept
 * because they do change how a notification reads.
 */
export function normalizeForCompare(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\u2018\u2019\u201A\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g, '"')
    .replace(/[\s.!?\u2026\u3002\uFF01\uFF1F]+$/u, "")
    .replace(/^[\s\u00A1\u00BF]+/u, "");
}

/** Length in code points, so an emoji counts as one character, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Same grammar as @pushbunny/core's renderTemplate: anything else would reach users verbatim.
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*(?:\|([^{}|]{0,64}))?\}\}/g;
const STRAY_BRACES = /\{\{|\}\}|\{[^{}\s]{1,64}\}/;

const LIST_MARKER = /^(?:\d{1,2}[.)]|[-*•–—])(?:\s+|$)/u;
const WRAPPING_QUOTES: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ["`", "`"],
  ["\u201C", "\u201D"], // “ ”
  ["\u201E", "\u201C"], // „ “
  ["\u201D", "\u201D"], // ” ”
  ["\u2018", "\u2019"], // ‘ ’
  ["\u00AB", "\u00BB"], // « »
  ["\u00BB", "\u00AB"], // » «
  ["\u300C", "\u300D"], // 「 」
  ["\u300E", "\u300F"], // 『 』
  ["**", "**"],
];

// Lookarounds instead of \b: \b only knows ASCII letters, so it misfires next to "é" or "ç".
const word = (alternatives: string): string => `(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`;

const LABEL_WORDS =
  "variant|variation|version|option|alternative|challenger|variante|variación|versión|opción|versão|opção|variação|vorschlag";
// "Variant 2:" alone is a heading; "Variant 2: Your cart misses you" is copy behind a label.
const LABEL_ONLY = new RegExp(
  `^[*_#\\s]*${word(LABEL_WORDS)}\\s*#?\\s*\\d{1,2}\\s*[*_]*\\s*[:.)\\-–—]?\\s*[*_]*$`,
  "iu",
);
// The separator must not be followed by a digit: "Version 2.0 is here" is copy, not a label.
const LABEL_PREFIX = new RegExp(
  `^[*_#\\s]*${word(LABEL_WORDS)}\\s*#?\\s*\\d{1,2}\\s*[*_]*\\s*[:.)\\-–—](?!\\p{N})\\s*[*_]*\\s*`,
  "iu",
);

// Words that only make sense when the model talks about its output rather than writing copy.
const META_WORDS = new RegExp(
  word(
    [
      "variants?",
      "variations?",
      "versions?",
      "rewrites?",
      "rewritten",
      "alternatives?",
      "challengers?",
      "suggestions?",
      "notification (?:copy|texts?|messages?)",
      "variantes?",
      "variaciones",
      "versiones",
      "opciones",
      "sugerencias",
      "propositions",
      "varianten",
      "versionen",
      "vorschläge",
      "variações",
      "versões",
      "opções",
      "sugestões",
    ].join("|"),
  ),
  "iu",
);
const HERE_ARE = new RegExp(
  `^${word(
    "here(?:['’]s| is| are)|below (?:is|are)|these are|aquí (?:tienes|están|hay|va)|voici|voilà|hier sind|hier ist|aqui (?:estão|está|vão)",
  )}`,
  "iu",
);
const INTERJECTION = new RegExp(
  `^${word(
    "sure thing|sure|certainly|of course|absolutely|okay|ok|great|claro|por supuesto|desde luego|bien sûr|d'accord|entendu|natürlich|klar|gerne|selbstverständlich|com certeza|certo",
  )}\\s*[!,.:—–-]+\\s*`,
  "iu",
);
const AI_META = new RegExp(
  word("as an ai|language model|ai assistant|como (?:una )?ia|en tant qu'ia|als ki"),
  "iu",
);
const REFUSAL =
  /^(?:i['’]?m sorry|i am sorry|sorry,? (?:but )?i |i (?:cannot|can['’]?t|can not|won['’]t|am unable|['’]m unable))/iu;
const JUST_A_HEADING = new RegExp(
  `^(?:the |new |notification )?${word("variants?|variations?|versions?|options?|challengers?|rewrites?")}$`,
  "iu",
);

function isPreamble(text: string): boolean {
  if (/[:：]$/u.test(text)) return true;
  if (text.startsWith("```")) return true;
  if (LABEL_ONLY.test(text) || JUST_A_HEADING.test(text)) return true;
  if (AI_META.test(text) || REFUSAL.test(text)) return true;
  if (HERE_ARE.test(text) && META_WORDS.test(text)) return true;
  const interjection = INTERJECTION.exec(text);
  if (interjection) {
    const rest = text.slice(interjection[0].length);
    // "Of course, your cart is still here" is copy; "Sure! Here are 3 variants" is chatter.
    if (rest === "" || HERE_ARE.test(rest) || /^i\b/iu.test(rest) || META_WORDS.test(rest)) return true;
  }
  return false;
}

function stripWrappingQuotes(text: string): string {
  let out = text;
  for (let round = 0; round < 2; round++) {
    const pair = WRAPPING_QUOTES.find(
      ([open, close]) =>
        out.length >= open.length + close.length && out.startsWith(open) && out.endsWith(close),
    );
    if (!pair) break;
    const [open, close] = pair;
    const inner = out.slice(open.length, out.length - close.length);
    // `"Sale" ends "today"` starts and ends with a quote without being wrapped in one.
    if (inner.includes(open) || inner.includes(close)) break;
    out = inner.trim();
  }
  return out;
}

/** Removes list numbering, bullets, "Variant 1:" labels and wrapping quotes that LLMs add around copy. */
export function cleanCandidate(text: string): string {
  let out = text.trim();
  for (let round = 0; round < 2; round++) {
    const before = out;
    out = out.replace(LIST_MARKER, "").trim();
    const label = LABEL_PREFIX.exec(out);
    if (label && label[0].length < out.length) out = out.slice(label[0].length).trim();
    out = stripWrappingQuotes(out);
    if (out === before) break;
  }
  return out;
}

function placeholderProblem(text: string, contextKeys: readonly string[] | undefined): string | undefined {
  const allowed = contextKeys ? new Set(contextKeys) : undefined;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const key = match[1] ?? "";
    if (allowed && !allowed.has(key)) return `unknown placeholder {{${key}}}`;
  }
  const leftover = STRAY_BRACES.exec(text.replace(PLACEHOLDER, ""));
  if (leftover) return `malformed placeholder ${leftover[0]}`;
  return undefined;
}

/** Cleans and filters raw LLM output into usable challengers. */
export function validateCandidates(raw: readonly unknown[], opts: ValidateOptions): ValidationResult {
  const maxLength = opts.maxLength ?? MAX_VARIANT_LENGTH;
  const seen = new Set(opts.avoid.map(normalizeForCompare));
  const accepted: string[] = [];
  const rejected: { text: string; reason: string }[] = [];

  for (const item of raw) {
    if (typeof item !== "string") {
      rejected.push({ text: describe(item), reason: "not a string" });
      continue;
    }
    const text = cleanCandidate(item);
    const reason = rejectionReason(text, maxLength, opts.contextKeys);
    if (reason) {
      rejected.push({ text: item, reason });
      continue;
    }
    const key = normalizeForCompare(text);
    if (seen.has(key)) {
      rejected.push({ text: item, reason: "duplicate" });
      continue;
    }
    if (accepted.length >= opts.count) {
      rejected.push({ text: item, reason: "over count" });
      continue;
    }
    seen.add(key);
    accepted.push(text);
  }
  return { accepted, rejected };
}

function rejectionReason(
  text: string,
  maxLength: number,
  contextKeys: readonly string[] | undefined,
): string | undefined {
  if (text === "") return "empty";
  // Letters, digits or emoji: a candidate of only brackets or punctuation is JSON debris.
  if (!/[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(text)) return "no text";
  if (/[\r\n\u2028\u2029]/u.test(text)) return "multiple lines";
  if (isPreamble(text)) return "preamble";
  if (codePointLength(text) > maxLength) return "too long";
  return placeholderProblem(text, contextKeys);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
