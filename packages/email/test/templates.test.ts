import { describe, expect, it } from "vitest";
import {
  type EmailTemplate,
  previewTemplate,
  renderTemplate,
  SAMPLE_CONTACT,
  type TemplateContact,
  templateVariables,
  unknownVariables,
  validateTemplate,
} from "../src";

const contact: TemplateContact = {
  email: "zoe@example.com",
  name: "Zoë <b>Quinn</b> & Co",
  locale: "fr-FR",
  timeZone: "Europe/Paris",
  attributes: { plan: "pro", orders: [{ total: 12 }, { total: 30 }], vip: false, nested: { city: "Lyon" } },
};

describe("renderTemplate", () => {
  it("escapes the HTML part and leaves subject, preheader and text as written", () => {
    const template: EmailTemplate = {
      subject: "Hi {{name}}",
      preheader: "For {{name}}",
      html: "<p>Hi {{name}}</p>",
      text: "Hi {{name}}",
    };
    const out = renderTemplate(template, contact);
    expect(out.subject).toBe("Hi Zoë <b>Quinn</b> & Co");
    expect(out.preheader).toBe("For Zoë <b>Quinn</b> & Co");
    expect(out.text).toBe("Hi Zoë <b>Quinn</b> & Co");
    expect(out.html).toBe("<p>Hi Zoë &lt;b&gt;Quinn&lt;&#x2F;b&gt; &amp; Co</p>");
    expect(out.missing).toEqual([]);
  });

  it("offers contact fields, attributes (nested, lists, sections) and system variables", () => {
    const out = renderTemplate(
      {
        subject: "{{locale}} {{time_zone}}",
        html: '{{#attributes.orders}}<li>{{total}}</li>{{/attributes.orders}}{{^attributes.vip}}not vip{{/attributes.vip}} {{attributes.nested.city}} <a href="{{unsubscribe_url}}">x</a>',
      },
      contact,
      { system: { unsubscribe_url: "https://e.example.com/u/a?b=1&c=2" } },
    );
    expect(out.subject).toBe("fr-FR Europe/Paris");
    expect(out.html).toBe(
      '<li>12</li><li>30</li>not vip Lyon <a href="https:&#x2F;&#x2F;e.example.com&#x2F;u&#x2F;a?b&#x3D;1&amp;c&#x3D;2">x</a>',
    );
    expect(out.missing).toEqual([]);
  });

  it("renders missing variables empty and reports them", () => {
    const out = renderTemplate(
      {
        subject: "Hi {{first_name}}",
        html: "{{attributes.unknown}}|{{attributes.nested}}|{{attributes.plan}}",
      },
      contact,
    );
    expect(out.subject).toBe("Hi");
    expect(out.html).toBe("||pro");
    // An object is not a value to print: empty and reported, never "[object Object]".
    expect(out.missing).toEqual(["attributes.nested", "attributes.unknown", "first_name"]);
  });

  it("never reaches the prototype or calls functions", () => {
    const out = renderTemplate(
      {
        subject: "{{constructor}}{{toString}}",
        html: "{{attributes.__proto__}}{{attributes.constructor.name}}{{#attributes.orders}}{{map}}{{/attributes.orders}}{{attributes.orders.map}}{{name.length}}",
      },
      contact,
    );
    expect(out.subject).toBe("");
    expect(out.html).toBe("");
    expect(out.missing).toContain("constructor");
    expect(out.missing).toContain("attributes.orders.map");
    expect(out.missing).toContain("name.length");
  });

  it("keeps triple mustache escaped in HTML unless the name is allowed", () => {
    const template = { subject: "s", html: "{{{name}}}|{{& name}}|{{{attributes.snippet}}}" };
    const c = { ...contact, attributes: { snippet: "<b>bold</b>" } };
    expect(renderTemplate(template, c).html).toBe(
      "Zoë &lt;b&gt;Quinn&lt;&#x2F;b&gt; &amp; Co|Zoë &lt;b&gt;Quinn&lt;&#x2F;b&gt; &amp; Co|&lt;b&gt;bold&lt;&#x2F;b&gt;",
    );
    expect(renderTemplate(template, c, { allowUnescaped: ["attributes.snippet"] }).html).toMatch(
      /\|<b>bold<\/b>$/,
    );
  });

  it("handles unicode in templates and values, emoji and right-to-left text included", () => {
    const out = renderTemplate(
      {
        subject: "🎉 {{name}} — مرحبا",
        html: "<p>{{attributes.greeting}}</p>",
        text: "{{attributes.greeting}} 👋🏽",
      },
      { email: "a@example.com", name: "Jürgen 日本", attributes: { greeting: "Grüß dich, 你好 🎈" } },
    );
    expect(out.subject).toBe("🎉 Jürgen 日本 — مرحبا");
    expect(out.html).toBe("<p>Grüß dich, 你好 🎈</p>");
    expect(out.text).toBe("Grüß dich, 你好 🎈 👋🏽");
  });

  it("keeps line breaks out of the subject and preheader (header injection)", () => {
    const out = renderTemplate(
      { subject: "Hi {{name}}", preheader: "{{name}}", html: "x" },
      { email: "a@example.com", name: "Eve\r\nBcc: all@example.com" },
    );
    expect(out.subject).toBe("Hi Eve Bcc: all@example.com");
    expect(out.subject).not.toMatch(/[\r\n]/);
    expect(out.preheader).not.toMatch(/[\r\n]/);
  });

  it("renders partials as nothing", () => {
    expect(renderTemplate({ subject: "s", html: "a{{> footer}}b" }, contact).html).toBe("ab");
  });

  it("renders the same template for many contacts without leaking values between them", () => {
    const template = { subject: "Hi {{name}}", html: "{{attributes.plan}}" };
    const a = renderTemplate(template, { email: "a@example.com", name: "A", attributes: { plan: "free" } });
    const b = renderTemplate(template, { email: "b@example.com" });
    expect(a.subject).toBe("Hi A");
    expect(a.html).toBe("free");
    expect(b.subject).toBe("Hi");
    expect(b.html).toBe("");
    expect(b.missing).toEqual(["attributes.plan"]);
  });

  it("previews with the sample contact", () => {
    expect(
      renderTemplate({ subject: "Hi {{name}} in {{attributes.city}}", html: "" }, SAMPLE_CONTACT).subject,
    ).toBe("Hi Ada Lovelace in London");
  });
});

describe("templateVariables and unknownVariables", () => {
  it("lists every name, sections and inverted sections included", () => {
    expect(
      templateVariables(
        "{{name}} {{{attributes.html}}} {{#attributes.orders}}{{total}}{{/attributes.orders}}{{^vip}}{{/vip}}{{! c}}",
      ),
    ).toEqual(["name", "attributes.html", "attributes.orders", "total", "vip"]);
    expect(templateVariables({ subject: "{{name}}", html: "{{email}}", text: "{{name}}" })).toEqual([
      "name",
      "email",
    ]);
  });

  it("reports names a contact does not offer, with attributes.* and names inside sections understood", () => {
    const template =
      "{{name}} {{frist_name}} {{attributes.plan}} {{#attributes.orders}}{{total}}{{.}}{{/attributes.orders}} {{unsubscribe_url}}";
    expect(unknownVariables(template)).toEqual(["frist_name"]);
    // A project that knows its attributes passes them instead of the wildcard.
    expect(
      unknownVariables(template, ["name", "unsubscribe_url", "attributes.plan", "attributes.orders.total"]),
    ).toEqual(["frist_name", "attributes.orders"]);
  });
});

describe("validateTemplate", () => {
  it("reports unknown variables as warnings, disallowed triple mustache and partials as errors", () => {
    const issues = validateTemplate(
      {
        subject: "Hi {{nmae}}",
        html: "{{{name}}} {{> footer}} {{{unsubscribe_url}}}",
        text: "{{{name}}}",
      },
      { allowUnescaped: ["unsubscribe_url"] },
    );
    expect(issues).toEqual([
      {
        field: "subject",
        code: "unknown_variable",
        message: "subject: unknown variable {{nmae}} renders empty",
        severity: "warning",
      },
      {
        field: "html",
        code: "partial_not_supported",
        message: "html: partials ({{> footer}}) are not supported",
        severity: "error",
      },
      {
        field: "html",
        code: "unescaped_variable",
        message: "html: {{{name}}} would insert unescaped HTML; use {{name}}",
        severity: "error",
      },
    ]);
  });

  it("reports syntax errors and empty parts instead of throwing", () => {
    const issues = validateTemplate({ subject: " ", html: "{{#open}} never closed" });
    expect(issues.map((i) => [i.field, i.code, i.severity])).toEqual([
      ["subject", "required", "error"],
      ["html", "template_syntax", "error"],
    ]);
    expect(validateTemplate({ subject: "s", html: "" }).map((i) => i.code)).toEqual(["required"]);
    expect(validateTemplate({ subject: "s", html: "", text: "t" })).toEqual([]);
  });
});

describe("previewTemplate", () => {
  it("renders for the sample contact and lists every finding once", () => {
    const preview = previewTemplate({
      subject: "{{name}}, ACT NOW",
      preheader: "For {{attributes.missing}}",
      html: '<p>Hi {{nmae}}</p><a href="{{unsubscribe_url}}">unsubscribe</a><a href="http://shop.example.com">shop</a>',
      text: "Hi {{name}}",
    });
    expect(preview.rendered?.subject).toBe("Ada Lovelace, ACT NOW");
    expect(preview.rendered?.html).toContain(
      'href="https:&#x2F;&#x2F;example.com&#x2F;preview&#x2F;unsubscribe"',
    );
    expect(preview.issues.map((i) => [i.field, i.code, i.severity])).toEqual([
      ["html", "unknown_variable", "warning"],
      ["preheader", "missing_value", "warning"],
      ["subject", "spam_phrase", "warning"],
      ["html", "insecure_link", "warning"],
    ]);
  });

  it("uses the given contact and stops at syntax errors", () => {
    const template = { subject: "Hi {{name}}", html: "<p>{{attributes.plan}}</p>" };
    expect(
      previewTemplate(template, { contact: { email: "b@example.com", name: "Bea" } }).rendered?.subject,
    ).toBe("Hi Bea");
    const broken = previewTemplate({ subject: "{{#a}}", html: "x" });
    expect(broken.rendered).toBeNull();
    expect(broken.issues.map((i) => i.code)).toEqual(["template_syntax"]);
  });
});
