import {
  type ContentIssue,
  checkContent,
  type IssueField,
  PREVIEW_SYSTEM_VARIABLES,
  renderTemplate,
  SAMPLE_CONTACT,
  variableUses,
} from "@pushbunny/email";
import { type EmailCopyInput, isLlmError } from "@pushbunny/llm";
import type { AppContext } from "../../context";
import { BadRequestError } from "../../errors";
import { LimitExceededError, waitText } from "../../ratelimit/errors";
import { tryQuota } from "../../ratelimit/quotas";
import { ATTRIBUTE_KEY } from "../contacts/lib/contact";
import { emailCopyWriter } from "./lib/copy-writer";
import { KNOWN_VARIABLES } from "./lib/template";

/** One written variant, its findings, and whether it may be used as written. */
export interface CopyVariant {
  text: string;
  issues: ContentIssue[];
  usable: boolean;
}

export interface CopyResult {
  variants: CopyVariant[];
  provider: "offline" | "gemini";
  fallbackReason: string | null;
}

const FIELD: Record<EmailCopyInput["what"], IssueField> = {
  subject: "subject",
  preheader: "preheader",
  body: "html",
};

function isContactVariable(name: string): boolean {
  if (name.startsWith("attributes.")) return ATTRIBUTE_KEY.test(name.slice("attributes.".length));
  return KNOWN_VARIABLES.includes(name);
}

/**
 * The findings for one variant: template syntax, variables outside the allowed list, `{{{…}}}`
 * in a body, then the content checks of the copy rendered for the sample contact (length, spam
 * phrases, unresolved tags, links). Usable means no error and no spam phrase: generated copy
 * with a spam trigger is not offered as ready, though a person may still write it themselves.
 */
export function checkVariant(
  what: EmailCopyInput["what"],
  text: string,
  allowed: readonly string[],
): CopyVariant {
  const field = FIELD[what];
  const issues: ContentIssue[] = [];
  const add = (code: string, message: string) => issues.push({ field, code, message, severity: "error" });
  let parsed: ReturnType<typeof variableUses> | undefined;
  try {
    parsed = variableUses(text);
  } catch (error) {
    add("template_syntax", `${field}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed) {
    for (const name of new Set(parsed.partials))
      add("partial_not_supported", `${field}: {{> ${name}}} is not supported`);
    const seen = new Set<string>();
    for (const use of parsed.uses) {
      if (seen.has(use.name)) continue;
      seen.add(use.name);
      if (!allowed.includes(use.name))
        add("unknown_variable", `${field}: {{${use.name}}} is not one of the allowed variables`);
      else if (use.kind === "unescaped")
        add("unescaped_variable", `${field}: {{{${use.name}}}} would insert unescaped HTML`);
    }
    const rendered = renderTemplate(
      what === "body"
        ? { subject: "x", html: text }
        : { subject: what === "subject" ? text : "x", preheader: what === "preheader" ? text : "", html: "" },
      SAMPLE_CONTACT,
      { system: PREVIEW_SYSTEM_VARIABLES },
    );
    const content =
      what === "subject"
        ? { subject: rendered.subject }
        : what === "preheader"
          ? { preheader: rendered.preheader }
          : { html: rendered.html };
    if (what !== "subject" && (content.preheader ?? content.html ?? "").trim() === "")
      add("required", `${field}: is empty`);
    issues.push(...checkContent(content));
  }
  const usable = !issues.some((i) => i.severity === "error" || i.code === "spam_phrase");
  return { text, issues, usable };
}

/**
 * Writes subject, preheader or body variants (Gemini when configured, else the offline writer),
 * each checked before anyone may use it. Spends one unit of the project's generation quota.
 */
export async function writeCopy({
  ctx,
  projectId,
  input,
}: {
  ctx: AppContext;
  projectId: string;
  actor: string;
  input: EmailCopyInput;
}): Promise<CopyResult> {
  const bad = input.variables.filter((v) => !isContactVariable(v));
  if (bad.length > 0) {
    throw BadRequestError.fromIssues(
      bad.map((v) => ({
        path: "variables",
        message: `'${v.slice(0, 80)}' is not a contact variable (email, name, locale, time_zone, attributes.<key>, unsubscribe_url, preferences_url)`,
      })),
    );
  }
  const quota = await tryQuota(ctx, projectId, "generation");
  if (!quota.allowed) {
    throw new LimitExceededError(
      `LLM generation quota reached: this project may run ${quota.rule.text} generations (challengers and email copy together); retry in ${waitText(quota.resetMs)}`,
      "generation",
      quota.rule,
      quota.resetMs,
    );
  }
  try {
    const result = await emailCopyWriter(ctx).write(input);
    return {
      variants: result.variants.map((text) => checkVariant(input.what, text, input.variables)),
      provider: result.provider,
      fallbackReason: result.fallbackReason,
    };
  } catch (err) {
    if (isLlmError(err) && err.kind === "bad_request") throw new BadRequestError(err.message);
    throw err;
  }
}
