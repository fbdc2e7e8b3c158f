// Issue 16 §2, templates and AI copy: CRUD scoped by project, save-time checks (unknown
// variables and {{{…}}} refused with their paths, warnings returned), preview for a stored or an
// inline contact (escaping, unicode, another project's contact is 404), and checked AI copy.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, json, seedProject } from "../helpers";

interface Issue {
  field: string;
  code: string;
  message: string;
  severity: string;
}
interface TemplateBody {
  template_id: string;
  name: string;
  subject: string;
  preheader: string;
  html: string;
  text: string | null;
  from_name: string | null;
  reply_to: string | null;
  issues: Issue[];
}
interface PreviewBody {
  subject: string;
  preheader: string;
  html: string;
  text: string;
  text_derived: boolean;
  missing: string[];
  issues: Issue[];
}
interface CopyBody {
  what: string;
  provider: string;
  fallback_reason: string | null;
  variants: { text: string; usable: boolean; issues: Issue[] }[];
}

const GOOD = {
  name: "Spring",
  subject: "{{name}}, spring is here",
  preheader: "New in for {{attributes.plan}} members",
  html: '<p>Hi {{name}},</p><p>Linen shirts are in.</p><p><a href="https://shop.example.com/spring">Shop</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
};

const create = async (key: string, body: Record<string, unknown>) =>
  json<TemplateBody>(await call("/v1/templates", { key, body }), 201);

describe("templates CRUD", () => {
  it("creates, reads, lists with a cursor, updates and deletes, scoped to the project", async () => {
    const { projectId, apiKey } = await seedProject();
    const other = await seedProject();
    const t = await create(apiKey, { ...GOOD, from_name: "Bunny Shop", reply_to: "help@example.com" });
    expect(t).toMatchObject({
      name: "Spring",
      text: null,
      from_name: "Bunny Shop",
      reply_to: "help@example.com",
    });
    expect(t.template_id).toMatch(/^tpl_[0-9a-f]{20}$/);
    expect(t.issues).toEqual([]);
    const row = await env.DB.prepare("SELECT project_id, subject, text FROM email_templates WHERE id = ?")
      .bind(t.template_id)
      .first();
    expect(row).toEqual({ project_id: projectId, subject: GOOD.subject, text: null });

    const second = await create(apiKey, { ...GOOD, name: "Second" });
    const page1 = await json<{ templates: TemplateBody[]; next_cursor: string | null }>(
      await call("/v1/templates?limit=1", { key: apiKey }),
      200,
    );
    expect(page1.templates.map((x) => x.template_id)).toEqual([second.template_id]);
    const page2 = await json<{ templates: TemplateBody[]; next_cursor: string | null }>(
      await call(`/v1/templates?limit=1&cursor=${page1.next_cursor}`, { key: apiKey }),
      200,
    );
    expect(page2.templates.map((x) => x.template_id)).toEqual([t.template_id]);
    expect(page2.next_cursor).toBeNull();

    // Another project sees none of it and cannot change it.
    const theirs = await json<{ templates: unknown[] }>(
      await call("/v1/templates", { key: other.apiKey }),
      200,
    );
    expect(theirs.templates).toEqual([]);
    for (const [method, path, body] of [
      ["GET", `/v1/templates/${t.template_id}`, undefined],
      ["PATCH", `/v1/templates/${t.template_id}`, { name: "stolen" }],
      ["DELETE", `/v1/templates/${t.template_id}`, undefined],
      ["POST", `/v1/templates/${t.template_id}/preview`, {}],
    ] as const) {
      await expectError(
        await call(path, { key: other.apiKey, method, body }),
        404,
        "NOT_FOUND",
        `template '${t.template_id}' not found`,
      );
    }

    const updated = await json<TemplateBody>(
      await call(`/v1/templates/${t.template_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { subject: "Linen is in, {{name}}", text: "Hi {{name}}" },
      }),
      200,
    );
    expect(updated).toMatchObject({ name: "Spring", subject: "Linen is in, {{name}}", text: "Hi {{name}}" });
    const got = await json<TemplateBody>(await call(`/v1/templates/${t.template_id}`, { key: apiKey }), 200);
    expect(got.subject).toBe("Linen is in, {{name}}");

    expect((await call(`/v1/templates/${t.template_id}`, { key: apiKey, method: "DELETE" })).status).toBe(
      204,
    );
    await expectError(await call(`/v1/templates/${t.template_id}`, { key: apiKey }), 404, "NOT_FOUND");
    const gone = await env.DB.prepare("SELECT COUNT(*) AS n FROM email_templates WHERE id = ?")
      .bind(t.template_id)
      .first<{ n: number }>();
    expect(gone?.n).toBe(0);
  });

  it("refuses unknown variables and triple mustache with each problem's path; keeps warnings", async () => {
    const { apiKey } = await seedProject();
    const err = await expectError(
      await call("/v1/templates", {
        key: apiKey,
        body: {
          ...GOOD,
          subject: "Hi {{first_name}}",
          html: "<p>{{{name}}} {{attributes.Plan}} {{attributes.plan}}</p>",
          text: "{{coupon}}",
        },
      }),
      400,
      "BAD_REQUEST",
    );
    expect(err.issues).toEqual([
      { path: "subject", message: "unknown variable {{first_name}} renders empty" },
      { path: "html", message: "{{{name}}} would insert unescaped HTML; use {{name}}" },
      { path: "text", message: "unknown variable {{coupon}} renders empty" },
      { path: "html", message: "{{attributes.Plan}} is not an attribute key (1-64 of a-z 0-9 _)" },
    ]);
    // An update is checked as a whole, too.
    const t = await create(apiKey, GOOD);
    await expectError(
      await call(`/v1/templates/${t.template_id}`, {
        key: apiKey,
        method: "PATCH",
        body: { html: "<p>{{{x}}</p>" },
      }),
      400,
      "BAD_REQUEST",
      /^html: /,
    );
    const warned = await create(apiKey, {
      ...GOOD,
      subject: "Act now: the winner of our spring giveaway is you and nobody else at all",
      html: '<p><a href="http://shop.example.com">Shop</a> {{attributes.any_key_1}}</p>',
    });
    expect(warned.issues.map((i) => `${i.field} ${i.code} ${i.severity}`)).toEqual(
      expect.arrayContaining([
        "subject long warning",
        "subject spam_phrase warning",
        "html insecure_link warning",
      ]),
    );
    expect(warned.issues.every((i) => i.severity === "warning")).toBe(true);
  });

  it("bad input is a 4xx JSON envelope, never a 500", async () => {
    const { apiKey } = await seedProject();
    const cases: [unknown, number][] = [
      [{}, 400],
      [{ ...GOOD, name: "" }, 400],
      [{ ...GOOD, subject: "a\nBcc: x@example.com" }, 400],
      [{ ...GOOD, html: "x".repeat(256 * 1024 + 1) }, 400],
      [{ ...GOOD, html: "<p>{{#a}}</p>" }, 400],
      [{ ...GOOD, html: "<p>{{> partial}}</p>" }, 400],
      [{ ...GOOD, html: '<a href="javascript:alert(1)">x</a>' }, 400],
      [{ ...GOOD, reply_to: "not an address" }, 400],
      [{ ...GOOD, extra: 1 }, 400],
      [{ ...GOOD, name: "\ud800" }, 400],
      [{ ...GOOD, html: "x".repeat(1024 * 1024 + 10) }, 413],
    ];
    for (const [body, status] of cases) {
      const res = await call("/v1/templates", { key: apiKey, body });
      await expectError(res, status, status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST");
    }
    await expectError(await call("/v1/templates?cursor=bogus", { key: apiKey }), 400, "BAD_REQUEST");
    await expectError(
      await call("/v1/templates/tpl_nope/preview", { key: apiKey, body: {} }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("template preview", () => {
  it("renders for a stored contact, escaping HTML in the contact's data, with unicode intact", async () => {
    const { apiKey } = await seedProject();
    const t = await create(apiKey, GOOD);
    const contact = await json<{ contact_id: string }>(
      await call("/v1/contacts", {
        key: apiKey,
        body: {
          email: "zoe@example.com",
          name: "Zoë <script>alert(1)</script> 🐰",
          attributes: { plan: "プロ" },
        },
      }),
      201,
    );
    const p = await json<PreviewBody>(
      await call(`/v1/templates/${t.template_id}/preview`, {
        key: apiKey,
        body: { contact_id: contact.contact_id },
      }),
      200,
    );
    expect(p.subject).toBe("Zoë <script>alert(1)</script> 🐰, spring is here");
    expect(p.preheader).toBe("New in for プロ members");
    expect(p.html).toContain("<p>Hi Zoë &lt;script&gt;alert(1)&lt;&#x2F;script&gt; 🐰,</p>");
    expect(p.html).not.toContain("<script>");
    // Mustache escapes "/" too; a browser decodes it in the attribute.
    expect(p.html).toContain('href="https:&#x2F;&#x2F;example.com&#x2F;preview&#x2F;unsubscribe"');
    expect(p.text_derived).toBe(true);
    expect(p.text).toBe(
      "Hi Zoë <script>alert(1)</script> 🐰,\n\nLinen shirts are in.\n\nShop (https://shop.example.com/spring) · Unsubscribe (https://example.com/preview/unsubscribe)",
    );
    expect(p.missing).toEqual([]);
  });

  it("renders for an inline sample or the built-in one, and lists missing variables", async () => {
    const { apiKey } = await seedProject();
    const t = await create(apiKey, GOOD);
    const inline = await json<PreviewBody>(
      await call(`/v1/templates/${t.template_id}/preview`, {
        key: apiKey,
        body: { contact: { email: "sam@example.com", name: "Sam" } },
      }),
      200,
    );
    expect(inline.subject).toBe("Sam, spring is here");
    expect(inline.preheader).toBe("New in for  members");
    expect(inline.missing).toEqual(["attributes.plan"]);
    expect(inline.issues.map((i) => i.code)).toContain("missing_value");
    const sample = await json<PreviewBody>(
      await call(`/v1/templates/${t.template_id}/preview`, { key: apiKey, body: {} }),
      200,
    );
    expect(sample.subject).toBe("Ada Lovelace, spring is here");
    await expectError(
      await call(`/v1/templates/${t.template_id}/preview`, {
        key: apiKey,
        body: { contact: { email: "a@example.com", attributes: { "Bad Key": 1 } } },
      }),
      400,
      "BAD_REQUEST",
      /^contact\.attributes\.Bad Key: /,
    );
  });

  it("another project's contact is a 404", async () => {
    const mine = await seedProject();
    const theirs = await seedProject();
    const t = await create(mine.apiKey, GOOD);
    const contact = await json<{ contact_id: string }>(
      await call("/v1/contacts", {
        key: theirs.apiKey,
        body: { email: "secret@example.com", name: "Secret" },
      }),
      201,
    );
    await expectError(
      await call(`/v1/templates/${t.template_id}/preview`, {
        key: mine.apiKey,
        body: { contact_id: contact.contact_id },
      }),
      404,
      "NOT_FOUND",
      `contact '${contact.contact_id}' not found`,
    );
  });
});

describe("AI copy (offline writer)", () => {
  it("writes checked subject, preheader and body variants; clean ones are usable", async () => {
    const { apiKey } = await seedProject();
    for (const what of ["subject", "preheader", "body"] as const) {
      const copy = await json<CopyBody>(
        await call("/v1/templates/copy", {
          key: apiKey,
          body: {
            what,
            brief: "Spring collection is in: linen shirts and light jackets.",
            variables: ["name", "unsubscribe_url"],
            count: 3,
          },
        }),
        200,
      );
      expect(copy).toMatchObject({ what, provider: "offline", fallback_reason: null });
      expect(copy.variants).toHaveLength(3);
      for (const v of copy.variants) {
        expect(v.usable, JSON.stringify(v)).toBe(true);
        expect(v.issues.filter((i) => i.severity === "error")).toEqual([]);
      }
    }
  });

  it("a variant with a spam phrase or an unlisted variable is flagged unusable", async () => {
    const { apiKey } = await seedProject();
    const spam = await json<CopyBody>(
      await call("/v1/templates/copy", {
        key: apiKey,
        body: { what: "subject", brief: "Spring sale", examples: ["Act now for linen"], count: 2 },
      }),
      200,
    );
    expect(spam.variants[0]?.text).toBe("Act now for linen");
    expect(spam.variants[0]?.usable).toBe(false);
    expect(spam.variants[0]?.issues.map((i) => i.code)).toContain("spam_phrase");

    const unknown = await json<CopyBody>(
      await call("/v1/templates/copy", {
        key: apiKey,
        body: {
          what: "subject",
          brief: "Spring sale",
          examples: ["Your code {{coupon}} is ready"],
          count: 1,
        },
      }),
      200,
    );
    expect(unknown.variants[0]).toEqual({
      text: "Your code {{coupon}} is ready",
      usable: false,
      issues: [
        {
          field: "subject",
          code: "unknown_variable",
          message: "subject: {{coupon}} is not one of the allowed variables",
          severity: "error",
        },
      ],
    });
    // No variant that has an error is ever usable.
    for (const v of [...spam.variants, ...unknown.variants]) {
      if (v.issues.some((i) => i.severity === "error" || i.code === "spam_phrase"))
        expect(v.usable).toBe(false);
    }
  });

  it("bad input is a 400 JSON envelope; the generation quota is a 429 with Retry-After", async () => {
    const { projectId, apiKey } = await seedProject();
    const base = { what: "subject", brief: "Spring" };
    for (const body of [
      {},
      { ...base, what: "footer" },
      { ...base, brief: "" },
      { ...base, brief: "x".repeat(2_001) },
      { ...base, count: 6 },
      { ...base, examples: Array(6).fill("x") },
      { ...base, variables: ["password"] },
      { ...base, variables: ["attributes.Bad-Key"] },
      { ...base, locale: "not a locale" },
    ]) {
      await expectError(await call("/v1/templates/copy", { key: apiKey, body }), 400, "BAD_REQUEST");
    }
    await json(
      await call(`/v1/projects/${projectId}/limits`, {
        method: "PUT",
        key: apiKey,
        body: { generation: "1/hour" },
      }),
      200,
    );
    await json(await call("/v1/templates/copy", { key: apiKey, body: base }), 200);
    const res = await call("/v1/templates/copy", { key: apiKey, body: base });
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    await expectError(
      res,
      429,
      "RATE_LIMITED",
      /^LLM generation quota reached: this project may run 1\/hour generations/,
    );
  });
});
