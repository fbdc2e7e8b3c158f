import * as z from "zod";
import { LlmError } from "./errors";

/** Upper bound on challengers per request; more would dilute traffic across too many arms anyway. */
export const MAX_COUNT = 10;

export interface GenerateInput {
  /** The control copy, e.g. "You left items in your cart". */
  baseExample: string;
  /** BCP-47 tag like "en-US", "es-ES", "fr-FR". */
  locale: string;
  /** How many challengers are wanted (1..10). */
  count: number;
  /** Keys of the app's context map that MAY be used as {{key}} placeholders. */
  contextKeys: string[];
  /** Texts already in the pool (control included): challengers must differ. */
  avoid: string[];
  /** Optional extra instruction (later: what won and lost). */
  guidance?: string;
  /**
   * What the app said about the notification (the mobile SDKs' free-text `context`, e.g.
   * "delivery"): a hint about its subject, quoted to the model, never followed as an instruction.
   */
  contextHint?: string;
}

export interface GenerateOptions {
  signal?: AbortSignal;
}

export interface VariantProvider {
  readonly name: "offline" | "gemini";
  /** Raw candidates; callers always pass them through validateCandidates. Throws LlmError. */
  generate(input: GenerateInput, options?: GenerateOptions): Promise<string[]>;
}

// Loose on purpose: a locale we have no phrases for still works, we only refuse garbage that would
// end up verbatim in a prompt.
const LOCALE = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/;

const generateInputSchema = z.object({
  baseExample: z.string().trim().min(1, "baseExample is empty"),
  locale: z.string().regex(LOCALE, "locale is not a BCP-47 tag"),
  count: z.int().min(1).max(MAX_COUNT),
  contextKeys: z.array(z.string()),
  avoid: z.array(z.string()),
  guidance: z.string().optional(),
  contextHint: z.string().max(256).optional(),
});

/** Rejects unusable input up front, as a non-retryable LlmError rather than a confusing upstream one. */
export function assertGenerateInput(input: GenerateInput): void {
  const parsed = generateInputSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
    throw new LlmError("bad_request", `invalid generate input: ${detail}`);
  }
}

/** Language subtag of a BCP-47 locale, lower-cased ("pt-BR" → "pt"). */
export function languageOf(locale: string): string {
  return (locale.split(/[-_]/)[0] ?? "").toLowerCase();
}
