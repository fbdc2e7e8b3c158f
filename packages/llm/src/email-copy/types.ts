import * as z from "zod";
import { LlmError } from "../errors";

/** What a request asks the writer for: a subject line, a preheader, or an HTML body. */
export const EMAIL_COPY_KINDS = ["subject", "preheader", "body"] as const;
export type EmailCopyKind = (typeof EMAIL_COPY_KINDS)[number];

/** Bounds on what goes into a prompt: the brief and examples are data, and data is bounded. */
export const EMAIL_COPY_LIMITS = {
  brief: 2_000,
  brandVoice: 500,
  example: 2_000,
  examples: 5,
  variables: 30,
  count: 5,
} as const;

export interface EmailCopyInput {
  what: EmailCopyKind;
  /** What the email is about, in the tenant's words. Quoted to the model, never followed. */
  brief: string;
  brandVoice?: string;
  /** Copy the tenant likes (earlier subjects, a body); the offline writer rewrites the first. */
  examples?: string[];
  /** The Mustache variables the copy may use, e.g. name, attributes.plan, unsubscribe_url. */
  variables: string[];
  /** 1..5 variants. */
  count: number;
  /** BCP-47 tag; the offline writer has English phrasing only. */
  locale?: string;
}

export interface EmailCopyResult {
  /** Raw variants, at most `count`; callers check each before anyone may use it. */
  variants: string[];
  /** Who wrote the variants that are returned. */
  provider: "offline" | "gemini";
  /** Why a configured model's answer was not used (null when it was, or with no model). */
  fallbackReason: string | null;
}

/** Writes email copy variants; never throws for a model's failure (the offline writer stands in). */
export interface EmailCopyWriter {
  readonly name: "offline" | "gemini";
  write(input: EmailCopyInput, options?: { signal?: AbortSignal }): Promise<EmailCopyResult>;
}

const inputSchema = z.object({
  what: z.enum(EMAIL_COPY_KINDS),
  brief: z.string().trim().min(1, "brief is empty").max(EMAIL_COPY_LIMITS.brief),
  brandVoice: z.string().max(EMAIL_COPY_LIMITS.brandVoice).optional(),
  examples: z.array(z.string().max(EMAIL_COPY_LIMITS.example)).max(EMAIL_COPY_LIMITS.examples).optional(),
  variables: z
    .array(z.string().regex(/^[a-z][a-z0-9_]*(?:\.[a-z0-9_]{1,64})?$/, "not a variable name"))
    .max(EMAIL_COPY_LIMITS.variables),
  count: z.int().min(1).max(EMAIL_COPY_LIMITS.count),
  locale: z.string().max(35).optional(),
});

/** Refuses input outside the bounds, as a non-retryable LlmError. */
export function assertEmailCopyInput(input: EmailCopyInput): void {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ");
    throw new LlmError("bad_request", `invalid email copy input: ${detail}`);
  }
}
