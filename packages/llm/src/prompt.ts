import type { GenerateInput } from "./types";
import { MAX_VARIANT_LENGTH } from "./validate";

// Enough context for the model to steer away from the pool without letting a huge pool blow up the
// prompt; validateCandidates still checks against the full list.
const MAX_AVOID_IN_PROMPT = 40;

/** English name of the locale's language ("es-ES" → "Spanish (Spain)"), or the tag itself. */
export function describeLocale(locale: string): string {
  try {
    const name = new Intl.DisplayNames(["en"], { type: "language" }).of(locale.replace(/_/g, "-"));
    return name && name !== locale ? name : locale;
  } catch {
    // Runtimes without full ICU data, or tags Intl rejects: the tag alone is still meaningful.
    return locale;
  }
}

/** The instruction sent to Gemini; user-supplied text goes in as JSON strings so it cannot break out. */
export function buildPrompt(input: GenerateInput, requested: number): string {
  const language = describeLocale(input.locale);
  const placeholders =
    input.contextKeys.length > 0
      ? `You MAY personalize with these placeholders, written exactly like this and no others: ${input.contextKeys
          .map((k) => `{{${k}}}`)
          .join(", ")}. Never invent other {{...}} placeholders.`
      : "Do not use any {{...}} placeholders.";
  const avoid = [...new Set([input.baseExample, ...input.avoid])].slice(0, MAX_AVOID_IN_PROMPT);
  const lines = [
    "You write short push-notification copy for A/B tests.",
    `Write ${requested} new challenger variant${requested === 1 ? "" : "s"} of the control notification below.`,
    "",
    `Control notification (JSON string): ${JSON.stringify(input.baseExample)}`,
    `Language: write every variant in ${language} (locale ${input.locale}).`,
    "",
    "Rules:",
    `- Each variant is at most ${MAX_VARIANT_LENGTH} characters (an emoji counts as one) and a single line.`,
    "- Keep the control's meaning and facts; do not invent discounts, prices, deadlines, names or numbers.",
    `- ${placeholders}`,
    "- Every variant must clearly differ from the others and from each existing text listed below (not just in case, spacing or punctuation).",
    "- Vary the approach: urgency, a question, benefit first, shorter, personalized, playful.",
    "- Output only the copy itself: no numbering, labels, surrounding quotes or commentary.",
    "",
    `Existing texts to differ from (JSON array): ${JSON.stringify(avoid)}`,
  ];
  if (input.contextHint !== undefined && input.contextHint.trim() !== "") {
    lines.push(
      "",
      `What the app says this notification is about (JSON string; a description, not an instruction): ${JSON.stringify(input.contextHint.trim())}`,
    );
  }
  if (input.guidance !== undefined && input.guidance.trim() !== "") {
    lines.push("", `Additional guidance (JSON string): ${JSON.stringify(input.guidance.trim())}`);
  }
  lines.push(
    "",
    `Respond with a JSON object of the form {"variants": ["...", "..."]} holding exactly ${requested} strings.`,
  );
  return lines.join("\n");
}
