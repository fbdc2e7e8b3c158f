import { LlmError } from "./errors";
import {
  assertGenerateInput,
  type GenerateInput,
  type GenerateOptions,
  languageOf,
  type VariantProvider,
} from "./types";
import { codePointLength, MAX_VARIANT_LENGTH, normalizeForCompare, validateCandidates } from "./validate";

type Lang = "en" | "es" | "fr" | "de" | "pt";

/** A rewrite around the base copy; `b` is the base, possibly shortened to fit the length limit. */
interface Template {
  readonly id: string;
  readonly render: (b: string) => string;
}

interface Phrases {
  /** In strategy order: the first ones are the headline strategies the product promises. */
  readonly lead: readonly Template[];
  readonly extra: readonly Template[];
  readonly greet: (placeholder: string, b: string) => string;
  readonly greeting: RegExp;
}

const bare = (b: string): string => b.replace(/[\s.!?\u2026]+$/u, "");
// Appending a sentence needs the base to end one, without doubling its own "!" or breaking "¡…!".
const sentence = (b: string): string =>
  /[.!?\u2026\u3002\uFF01\uFF1F\p{Extended_Pictographic}]\uFE0F?$/u.test(b) ? b : `${b}.`;

const t = (id: string, render: (b: string) => string): Template => ({ id, render });

const PHRASES: Record<Lang, Phrases> = {
  en: {
    lead: [
      t("urgency", (b) => `⏰ Don't wait! ${b}`),
      t("question", (b) => `Still thinking it over? ${b}`),
      t("benefit", (b) => `Good news! ${b}`),
    ],
    extra: [
      t("reminder", (b) => `Quick reminder: ${b}`),
      t("exclusive", (b) => `Just for you: ${b}`),
      t("fyi", (b) => `Just so you know: ${b}`),
      t("cta", (b) => `${sentence(b)} Tap to take a look.`),
      t("curiosity", (b) => `Psst… ${b}`),
      t("heads-up", (b) => `Heads up! ${b}`),
      t("miss-out", (b) => `${sentence(b)} Don't miss out!`),
    ],
    greet: (p, b) => `Hey ${p}! ${b}`,
    greeting: /^(?:hello|hi|hey|hiya|good (?:morning|afternoon|evening))(?![\p{L}\p{N}])\s*[,!.]+\s*/iu,
  },
  es: {
    lead: [
      t("urgency", (b) => `⏰ ¡No esperes! ${b}`),
      t("question", (b) => `¿Aún lo estás pensando? ${b}`),
      t("benefit", (b) => `¡Buenas noticias! ${b}`),
    ],
    extra: [
      t("reminder", (b) => `Recordatorio rápido: ${b}`),
      t("exclusive", (b) => `Solo para ti: ${b}`),
      t("fyi", (b) => `Solo un aviso: ${b}`),
      t("cta", (b) => `${sentence(b)} Toca para verlo.`),
      t("curiosity", (b) => `Psst… ${b}`),
      t("heads-up", (b) => `¡Atención! ${b}`),
      t("miss-out", (b) => `${sentence(b)} ¡No te lo pierdas!`),
    ],
    greet: (p, b) => `¡Hola, ${p}! ${b}`,
    greeting: /^[¡]?(?:hola|buenas|buenos días|buenas tardes|buenas noches)(?![\p{L}\p{N}])\s*[,!.]+\s*/iu,
  },
  fr: {
    lead: [
      t("urgency", (b) => `⏰ N'attendez plus ! ${b}`),
      t("question", (b) => `Vous hésitez encore ? ${b}`),
      t("benefit", (b) => `Bonne nouvelle ! ${b}`),
    ],
    extra: [
      t("reminder", (b) => `Petit rappel : ${b}`),
      t("exclusive", (b) => `Rien que pour vous : ${b}`),
      t("fyi", (b) => `Pour info : ${b}`),
      t("cta", (b) => `${sentence(b)} Touchez pour voir.`),
      t("curiosity", (b) => `Psst… ${b}`),
      t("heads-up", (b) => `À ne pas manquer : ${b}`),
      t("miss-out", (b) => `${sentence(b)} Ne passez pas à côté !`),
    ],
    greet: (p, b) => `Bonjour ${p} ! ${b}`,
    greeting: /^(?:bonjour|bonsoir|salut|coucou)(?![\p{L}\p{N}])\s*[,!.]+\s*/iu,
  },
  de: {
    lead: [
      t("urgency", (b) => `⏰ Nicht warten! ${b}`),
      t("question", (b) => `Noch unentschlossen? ${b}`),
      t("benefit", (b) => `Gute Nachrichten! ${b}`),
    ],
    extra: [
      t("reminder", (b) => `Kurze Erinnerung: ${b}`),
      t("exclusive", (b) => `Nur für dich: ${b}`),
      t("fyi", (b) => `Kleiner Hinweis: ${b}`),
      t("cta", (b) => `${sentence(b)} Tippe, um es anzusehen.`),
      t("curiosity", (b) => `Psst… ${b}`),
      t("heads-up", (b) => `Achtung! ${b}`),
      t("miss-out", (b) => `${sentence(b)} Nicht verpassen!`),
    ],
    greet: (p, b) => `Hallo ${p}! ${b}`,
    greeting: /^(?:hallo|hi|hey|guten (?:morgen|tag|abend)|servus|moin)(?![\p{L}\p{N}])\s*[,!.]+\s*/iu,
  },
  pt: {
    lead: [
      t("urgency", (b) => `⏰ Não espere! ${b}`),
      t("question", (b) => `Ainda está pensando? ${b}`),
      t("benefit", (b) => `Boas notícias! ${b}`),
    ],
    extra: [
      t("reminder", (b) => `Lembrete rápido: ${b}`),
      t("exclusive", (b) => `Só para você: ${b}`),
      t("fyi", (b) => `Só um aviso: ${b}`),
      t("cta", (b) => `${sentence(b)} Toque para ver.`),
      t("curiosity", (b) => `Psiu… ${b}`),
      t("heads-up", (b) => `Atenção! ${b}`),
      t("miss-out", (b) => `${sentence(b)} Não perca!`),
    ],
    greet: (p, b) => `Olá, ${p}! ${b}`,
    greeting: /^(?:olá|ola|oi|bom dia|boa tarde|boa noite)(?![\p{L}\p{N}])\s*[,!.]+\s*/iu,
  },
};

// Emoji read the same in every language, so these work where we have no phrase table, and they top
// up the supported languages when a table runs dry (e.g. the avoid list already holds its rewrites).
const NEUTRAL_LEAD: readonly Template[] = [
  t("urgency", (b) => `⏰ ${b}`),
  t("question", (b) => `🤔 ${b}`),
  t("benefit", (b) => `🎁 ${b}`),
];
const NEUTRAL_EXTRA: readonly Template[] = [
  t("emoji-bell", (b) => `🔔 ${b}`),
  t("emoji-sparkles", (b) => `✨ ${b}`),
  t("emoji-point", (b) => `👉 ${b}`),
  t("emoji-fire", (b) => `🔥 ${b}`),
  t("emoji-party", (b) => `${b} 🎉`),
  t("emoji-idea", (b) => `💡 ${b}`),
  t("emoji-star", (b) => `⭐ ${b}`),
  t("emoji-megaphone", (b) => `📣 ${b}`),
  t("emoji-rocket", (b) => `${b} 🚀`),
  t("emoji-eyes", (b) => `👀 ${b}`),
];
const NEUTRAL_GREET = (p: string, b: string): string => `👋 ${p} · ${b}`;

// Keys that plausibly hold how to address the user; "{{cart_total}}, you left items" would be nonsense,
// so other keys are never used for the greeting.
const NAME_KEY_PREFERENCE = [
  "first_name",
  "firstName",
  "firstname",
  "name",
  "given_name",
  "givenName",
  "nickname",
  "display_name",
  "displayName",
  "username",
  "user_name",
  "userName",
];
const NAME_LIKE_KEY =
  /^(?:user|customer|member|recipient|contact|account)?[_.-]?(?:first[_.-]?name|given[_.-]?name|nick[_.-]?name|display[_.-]?name|user[_.-]?name|name|handle)$/iu;

function usesPlaceholder(text: string, key: string): boolean {
  return [...text.matchAll(/\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/g)].some((m) => m[1] === key);
}

function pickNameKey(contextKeys: readonly string[]): string | undefined {
  for (const key of NAME_KEY_PREFERENCE) if (contextKeys.includes(key)) return key;
  return contextKeys.find((key) => NAME_LIKE_KEY.test(key));
}

const EMOJI =
  /\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])?(?:\u200D\p{Extended_Pictographic}\uFE0F?)*/gu;
// CJK full stops end a sentence without a following space; Latin ones need one ("v2.0", "e.g.").
const SENTENCE_END = /(?<=[.!?\u2026])\s+|(?<=[\u3002\uFF01\uFF1F])\s*/u;

/** Cuts at a word boundary (or mid-word for scripts without spaces) and marks the cut with "…". */
function truncate(text: string, maxLength: number): string {
  const chars = [...text];
  if (chars.length <= maxLength) return text;
  const head = chars.slice(0, Math.max(1, maxLength - 1)).join("");
  const space = head.search(/\s\S*$/u);
  const cut = space > head.length / 2 ? head.slice(0, space) : head;
  return `${bare(cut.replace(/[\s,;:–—-]+$/u, ""))}…`;
}

/** Shorter takes on the base, most informative first; each is strictly shorter than the base. */
function shorterVersions(base: string): string[] {
  const out: string[] = [];
  const sentences = base.split(SENTENCE_END).filter((s) => s.trim() !== "");
  if (sentences.length >= 2) {
    // The longest sentence usually carries the news; the others are greetings or sign-offs.
    out.push(sentences.reduce((best, s) => (codePointLength(s) > codePointLength(best) ? s : best)));
  }
  const withoutEmoji = base
    .replace(EMOJI, "")
    .replace(/\s+([,.!?:;])/gu, "$1")
    .replace(/\s{2,}/gu, " ")
    .trim();
  if (withoutEmoji !== "") out.push(withoutEmoji);
  const clause = base.split(/[,;:–—]\s+/u)[0] ?? "";
  if (clause.split(/\s+/u).length >= 3) out.push(clause);
  const words = base.split(/\s+/u);
  // Cutting a short line mid-thought ("You left items in…") reads as a bug, not as punchier copy.
  if (words.length >= 10)
    out.push(truncate(base, codePointLength(words.slice(0, Math.ceil(words.length * 0.6)).join(" ")) + 2));
  else if (words.length === 1 && codePointLength(base) >= 12)
    out.push(truncate(base, Math.ceil(codePointLength(base) * 0.6)));

  const baseLength = codePointLength(base);
  return out
    .map((s) => s.trim())
    .filter((s) => s !== "" && codePointLength(s) < baseLength && /[\p{L}\p{N}]/u.test(s));
}

/** Renders a template, shortening the base when the decorated copy would exceed the limit. */
function fit(template: Template, base: string, maxLength: number): string | undefined {
  const full = template.render(base);
  const overflow = codePointLength(full) - maxLength;
  if (overflow <= 0) return full;
  const room = codePointLength(base) - overflow - 1;
  if (room < 12) return undefined;
  return template.render(truncate(base, room));
}

/** Whether the template's own words already appear in the base ("Last chance! Last chance! …"). */
function repeatsItself(template: Template, base: string): boolean {
  const words = normalizeForCompare(template.render("\u0000").replace("\u0000", " ")).trim();
  return words !== "" && normalizeForCompare(base).includes(words);
}

function candidatesFor(input: GenerateInput): string[] {
  const base = input.baseExample.trim();
  const lang = languageOf(input.locale);
  const phrases = lang in PHRASES ? PHRASES[lang as Lang] : undefined;
  const lead = phrases?.lead ?? NEUTRAL_LEAD;
  const extra = [...(phrases?.extra ?? []), ...(phrases ? NEUTRAL_LEAD : []), ...NEUTRAL_EXTRA];

  const out: string[] = [];
  const add = (template: Template): void => {
    if (repeatsItself(template, base)) return;
    const text = fit(template, base, MAX_VARIANT_LENGTH);
    if (text !== undefined) out.push(text);
  };

  for (const template of lead) add(template);

  const shorter = shorterVersions(base);
  if (shorter[0] !== undefined) out.push(shorter[0]);

  const key = pickNameKey(input.contextKeys);
  if (key !== undefined && !usesPlaceholder(base, key)) {
    // A greeting already in the base would double up ("Hey {{name}}! Hello! …").
    const stripped = phrases ? base.replace(phrases.greeting, "").trim() : base;
    const greet = phrases?.greet ?? NEUTRAL_GREET;
    const text = fit(
      t("personalized", (b) => greet(`{{${key}}}`, b)),
      stripped || base,
      MAX_VARIANT_LENGTH,
    );
    if (text !== undefined) out.push(text);
  }

  for (const template of extra) add(template);
  out.push(...shorter.slice(1));
  return out;
}

/** Deterministic rule-based rewrites: the default provider, needing no network, key or quota. */
export function createOfflineProvider(): VariantProvider {
  return {
    name: "offline",
    async generate(input: GenerateInput, options?: GenerateOptions): Promise<string[]> {
      assertGenerateInput(input);
      if (options?.signal?.aborted) throw new LlmError("timeout", "offline generation aborted");
      // Running the pool through the same validation callers apply guarantees every returned
      // rewrite survives it, and skips those already in `avoid` so later rounds get fresh ones.
      const { accepted } = validateCandidates(candidatesFor(input), {
        avoid: [input.baseExample, ...input.avoid],
        count: input.count,
        contextKeys: input.contextKeys,
      });
      return accepted;
    },
  };
}
