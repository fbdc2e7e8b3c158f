import { checkContent } from "./content-checks";
import type { ContentIssue } from "./issues";
import {
  DEFAULT_KNOWN_VARIABLES,
  type EmailTemplate,
  parseTemplate,
  type RenderedEmail,
  type RenderOptions,
  renderTemplate,
  SAMPLE_CONTACT,
  TEMPLATE_FIELDS,
  type TemplateContact,
} from "./templates";

/** How a name is used in a template. */
export interface VariableUse {
  name: string;
  kind: "escaped" | "unescaped" | "section" | "inverted";
  /** Enclosing section names, outermost first. */
  sections: string[];
}

type Token = [string, string, number, number, Token[]?, number?];

function walk(tokens: Token[], sections: string[], out: VariableUse[], partials: string[]): void {
  for (const token of tokens) {
    const [type, name] = token;
    if (type === "name" || type === "&") {
      out.push({ name, kind: type === "name" ? "escaped" : "unescaped", sections });
    } else if (type === "#" || type === "^") {
      out.push({ name, kind: type === "#" ? "section" : "inverted", sections });
      walk(token[4] ?? [], [...sections, name], out, partials);
    } else if (type === ">") {
      partials.push(name);
    }
  }
}

/** Every use of a variable in a template, in order. Throws on a template Mustache cannot parse. */
export function variableUses(source: string): { uses: VariableUse[]; partials: string[] } {
  const uses: VariableUse[] = [];
  const partials: string[] = [];
  walk(parseTemplate(source) as Token[], [], uses, partials);
  return { uses, partials };
}

/** The distinct variable names a template uses, sections included, in first-use order. */
export function templateVariables(source: string | EmailTemplate): string[] {
  const sources = typeof source === "string" ? [source] : TEMPLATE_FIELDS.map((field) => source[field] ?? "");
  const names = new Set<string>();
  for (const text of sources) for (const use of variableUses(text).uses) names.add(use.name);
  return [...names];
}

function matches(name: string, known: readonly string[]): boolean {
  return known.some((k) =>
    k.endsWith(".*") ? name.startsWith(k.slice(0, -1)) && name.length > k.length - 1 : k === name,
  );
}

function isKnown(use: VariableUse, known: readonly string[]): boolean {
  if (use.name === "." || matches(use.name, known)) return true;
  // Inside {{#a}}{{#b}}{{x}}{{/b}}{{/a}}, x may be a field of b's value, of a.b's, or of a's.
  for (let i = use.sections.length - 1; i >= 0; i--) {
    for (let j = i; j >= 0; j--) {
      if (matches([...use.sections.slice(j, i + 1), use.name].join("."), known)) return true;
    }
  }
  return false;
}

/**
 * Names a template uses that `known` does not offer; `known` entries are exact names or
 * prefixes ending in `.*` (`attributes.*`). Reported at save time, not fatal.
 */
export function unknownVariables(
  source: string | EmailTemplate,
  known: readonly string[] = DEFAULT_KNOWN_VARIABLES,
): string[] {
  const sources = typeof source === "string" ? [source] : TEMPLATE_FIELDS.map((field) => source[field] ?? "");
  const out = new Set<string>();
  for (const text of sources) {
    for (const use of variableUses(text).uses) if (!isKnown(use, known)) out.add(use.name);
  }
  return [...out];
}

export interface ValidateOptions {
  known?: readonly string[];
  allowUnescaped?: Iterable<string>;
}

/** Save-time findings for a template: parse errors, partials, unknown names, disallowed `{{{…}}}`. */
export function validateTemplate(template: EmailTemplate, options: ValidateOptions = {}): ContentIssue[] {
  const known = options.known ?? DEFAULT_KNOWN_VARIABLES;
  const allow = new Set(options.allowUnescaped ?? []);
  const issues: ContentIssue[] = [];
  if (!template.subject.trim()) {
    issues.push({
      field: "subject",
      code: "required",
      message: "subject: must not be empty",
      severity: "error",
    });
  }
  if (!template.html.trim() && !(template.text ?? "").trim()) {
    issues.push({
      field: "html",
      code: "required",
      message: "html: an HTML or a text part is needed",
      severity: "error",
    });
  }
  for (const field of TEMPLATE_FIELDS) {
    const source = template[field] ?? "";
    let parsed: ReturnType<typeof variableUses>;
    try {
      parsed = variableUses(source);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      issues.push({ field, code: "template_syntax", message: `${field}: ${detail}`, severity: "error" });
      continue;
    }
    for (const name of new Set(parsed.partials)) {
      issues.push({
        field,
        code: "partial_not_supported",
        message: `${field}: partials ({{> ${name}}}) are not supported`,
        severity: "error",
      });
    }
    const reported = new Set<string>();
    for (const use of parsed.uses) {
      if (reported.has(use.name)) continue;
      if (!isKnown(use, known)) {
        reported.add(use.name);
        issues.push({
          field,
          code: "unknown_variable",
          message: `${field}: unknown variable {{${use.name}}} renders empty`,
          severity: "warning",
        });
      } else if (field === "html" && use.kind === "unescaped" && !allow.has(use.name)) {
        reported.add(use.name);
        issues.push({
          field,
          code: "unescaped_variable",
          message: `${field}: {{{${use.name}}}} would insert unescaped HTML; use {{${use.name}}}`,
          severity: "error",
        });
      }
    }
  }
  return issues;
}

/** Stand-ins for the links the sender signs per recipient, so a preview's links check out. */
export const PREVIEW_SYSTEM_VARIABLES: Readonly<Record<string, string>> = {
  unsubscribe_url: "https://example.com/preview/unsubscribe",
  preferences_url: "https://example.com/preview/preferences",
};

export interface PreviewOptions extends RenderOptions, ValidateOptions {
  /** Default SAMPLE_CONTACT. */
  contact?: TemplateContact;
}

export interface TemplatePreview {
  /** Null when the template does not parse. */
  rendered: RenderedEmail | null;
  /** Save-time findings, then the content checks of the rendered copy; one per (field, code, message). */
  issues: ContentIssue[];
}

/** Renders a template for a sample contact with every finding a person should see before saving it. */
export function previewTemplate(template: EmailTemplate, options: PreviewOptions = {}): TemplatePreview {
  const issues = validateTemplate(template, options);
  if (issues.some((issue) => issue.code === "template_syntax")) return { rendered: null, issues };
  const rendered = renderTemplate(template, options.contact ?? SAMPLE_CONTACT, {
    ...options,
    system: { ...PREVIEW_SYSTEM_VARIABLES, ...options.system },
  });
  const unknown = new Set(unknownVariables(template, options.known ?? DEFAULT_KNOWN_VARIABLES));
  for (const name of rendered.missing) {
    if (unknown.has(name)) continue;
    const field = TEMPLATE_FIELDS.find((f) => templateVariables(template[f] ?? "").includes(name)) ?? "html";
    issues.push({
      field,
      code: "missing_value",
      message: `{{${name}}} has no value for this contact and renders empty`,
      severity: "warning",
    });
  }
  const seen = new Set(issues.map((issue) => `${issue.field} ${issue.code}`));
  for (const issue of checkContent(rendered)) {
    // "subject: must not be empty" is already there from validation.
    if (issue.code === "required" && seen.has(`${issue.field} ${issue.code}`)) continue;
    issues.push(issue);
  }
  return { rendered, issues };
}
