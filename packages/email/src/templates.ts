import Mustache from "mustache";
import type { ContentIssue, IssueField } from "./issues";

/** A contact as templates see it (the Worker maps its row to this). */
export interface TemplateContact {
  email: string;
  name?: string | null;
  locale?: string | null;
  timeZone?: string | null;
  attributes?: Record<string, unknown> | null;
}

/** The four parts of an email template; each is a Mustache template. */
export interface EmailTemplate {
  subject: string;
  preheader?: string;
  html: string;
  text?: string;
}

/** A rendered email, and the variables that had no value (rendered empty). */
export interface RenderedEmail {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  missing: string[];
}

/** Variables every contact offers. */
export const CONTACT_VARIABLES = ["email", "name", "locale", "time_zone"] as const;
/** Variables the sender fills per message (links it signs for the recipient). */
export const SYSTEM_VARIABLES = ["unsubscribe_url", "preferences_url"] as const;
/** The names a template may use when nothing more specific is known about the project's attributes. */
export const DEFAULT_KNOWN_VARIABLES: readonly string[] = [
  ...CONTACT_VARIABLES,
  ...SYSTEM_VARIABLES,
  "attributes.*",
];

/** The contact a preview renders for when none is given. */
export const SAMPLE_CONTACT: TemplateContact = {
  email: "ada@example.com",
  name: "Ada Lovelace",
  locale: "en-GB",
  timeZone: "Europe/London",
  attributes: { plan: "pro", city: "London" },
};

const FIELDS = ["subject", "preheader", "html", "text"] as const satisfies readonly IssueField[];

type View = Record<string, unknown>;

// Views are built from JSON (contact attributes) into null-prototype objects, and lookups read own
// properties only: on a plain object `{{constructor}}` or `{{attributes.__proto__}}` would reach the
// prototype (mustache's own lookup uses `in`), and `{{attributes.tags.map}}` would call a function.
function toView(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" ? undefined : value;
  if (depth > 16) return undefined;
  if (Array.isArray(value)) return value.map((item) => toView(item, depth + 1));
  const out: View = Object.create(null);
  for (const [key, item] of Object.entries(value)) out[key] = toView(item, depth + 1);
  return out;
}

function ownLookup(view: unknown, names: readonly string[]): { hit: boolean; value: unknown } {
  let current = view;
  for (const name of names) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, name)) {
      return { hit: false, value: undefined };
    }
    current = (current as View)[name];
  }
  return { hit: true, value: current };
}

class OwnContext extends Mustache.Context {
  override push(view: unknown): Mustache.Context {
    return new OwnContext(view, this);
  }

  override lookup(name: string): unknown {
    if (name === ".") return this.view;
    const names = name.split(".");
    for (let context: Mustache.Context | undefined = this; context; context = context.parent) {
      const found = ownLookup(context.view, names);
      if (found.hit) return typeof found.value === "function" ? undefined : found.value;
    }
    return undefined;
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return undefined;
}

// One writer renders every part: its settings are set right before each synchronous render call.
class TrackingWriter extends Mustache.Writer {
  missing = new Set<string>();
  escapeHtml = false;
  allowUnescaped: ReadonlySet<string> = new Set();

  private value(token: string[], context: Mustache.Context, escaped: boolean): string {
    const name = token[1] ?? "";
    const text = scalar(context.lookup(name));
    if (text === undefined) {
      this.missing.add(name);
      return "";
    }
    // Triple mustache (`{{{x}}}`, `{{& x}}`) stays escaped in HTML unless the caller allows that name.
    return this.escapeHtml && (escaped || !this.allowUnescaped.has(name)) ? Mustache.escape(text) : text;
  }

  override escapedValue(token: string[], context: Mustache.Context): string {
    return this.value(token, context, true);
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    return this.value(token, context, false);
  }

  // Templates have no partials: a stored template is self-contained.
  override renderPartial(): string {
    return "";
  }
}

// Parsed templates are cached (a campaign renders the same template for every recipient), but only
// the most recent few: an isolate lives long and sees many projects' templates.
const MAX_CACHED_TEMPLATES = 64;
function boundedCache(): Mustache.TemplateCache {
  const map = new Map<string, string>();
  return {
    get: (key) => map.get(key),
    set: (key, value) => {
      if (map.size >= MAX_CACHED_TEMPLATES) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
      map.set(key, value);
    },
    clear: () => map.clear(),
  };
}

const writer = new TrackingWriter();
(writer as unknown as { templateCache: Mustache.TemplateCache }).templateCache = boundedCache();

/** The view a contact offers to templates: contact fields, `attributes.*` and the system variables. */
export function contactView(contact: TemplateContact, system: Record<string, string> = {}): View {
  const view = toView({
    email: contact.email,
    name: contact.name ?? "",
    locale: contact.locale ?? "",
    time_zone: contact.timeZone ?? "",
    attributes: contact.attributes ?? {},
  }) as View;
  for (const [key, value] of Object.entries(system)) view[key] = value;
  return view;
}

export interface RenderOptions {
  /** Values of system variables such as unsubscribe_url and preferences_url. */
  system?: Record<string, string>;
  /** Names that may be inserted into the HTML part unescaped with `{{{…}}}`. Default none. */
  allowUnescaped?: Iterable<string>;
}

/** One header line: a subject or preheader never carries a line break (header injection). */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t\u2028\u2029]+/g, " ").trim();
}

/** Renders a template for a contact: HTML escaped, subject, preheader and text not. Never throws on data. */
export function renderTemplate(
  template: EmailTemplate,
  contact: TemplateContact,
  options: RenderOptions = {},
): RenderedEmail {
  const view = contactView(contact, options.system);
  const allow = new Set(options.allowUnescaped ?? []);
  const missing = new Set<string>();
  const render = (source: string, html: boolean): string => {
    writer.missing = missing;
    writer.escapeHtml = html;
    writer.allowUnescaped = allow;
    return writer.render(source, new OwnContext(view));
  };
  return {
    subject: oneLine(render(template.subject, false)),
    preheader: oneLine(render(template.preheader ?? "", false)),
    html: render(template.html, true),
    text: render(template.text ?? "", false),
    missing: [...missing].sort(),
  };
}

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
  walk(writer.parse(source) as Token[], [], uses, partials);
  return { uses, partials };
}

/** The distinct variable names a template uses, sections included, in first-use order. */
export function templateVariables(source: string | EmailTemplate): string[] {
  const sources = typeof source === "string" ? [source] : FIELDS.map((field) => source[field] ?? "");
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
  const sources = typeof source === "string" ? [source] : FIELDS.map((field) => source[field] ?? "");
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
  for (const field of FIELDS) {
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
