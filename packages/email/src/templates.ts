import Mustache from "mustache";
import type { IssueField } from "./issues";

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

/** The parts of a template, in the order findings are reported. */
export const TEMPLATE_FIELDS = [
  "subject",
  "preheader",
  "html",
  "text",
] as const satisfies readonly IssueField[];

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

/** Mustache's token tree for a template, from the same bounded cache rendering uses. Throws on bad syntax. */
export function parseTemplate(source: string): unknown[] {
  return writer.parse(source) as unknown[];
}
