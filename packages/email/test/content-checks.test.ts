import { describe, expect, it } from "vitest";
import { checkContent, checkLinks, findSpamPhrases, hasErrors } from "../src";

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe("checkContent", () => {
  it("passes clean copy", () => {
    const issues = checkContent({
      subject: "Your cart is waiting",
      preheader: "The blue shoes are still in stock.",
      html: '<p>Come back: <a href="https://shop.example.com/cart?x=1&amp;y=2">cart</a> <a href="mailto:help@example.com">help</a></p>',
      text: "Come back: https://shop.example.com/cart",
    });
    expect(issues).toEqual([]);
  });

  it("limits subject and preheader length in characters, not UTF-16 units", () => {
    expect(codes(checkContent({ subject: "x".repeat(61) }))).toEqual(["long"]);
    expect(codes(checkContent({ subject: "x".repeat(151) }))).toEqual(["too_long"]);
    expect(codes(checkContent({ subject: "🎉".repeat(60) }))).toEqual([]);
    expect(codes(checkContent({ subject: "" }))).toEqual(["required"]);
    expect(codes(checkContent({ subject: "ok", preheader: "p".repeat(131) }))).toEqual(["long"]);
    expect(checkContent({ subject: "ok", preheader: "p".repeat(256) })[0]).toMatchObject({
      field: "preheader",
      code: "too_long",
      severity: "error",
    });
  });

  it("finds spam phrases case-insensitively and on word boundaries only", () => {
    expect(findSpamPhrases("ACT NOW for a 100% FREE gift. Click\nhere!")).toEqual([
      "act now",
      "100% free",
      "click here",
    ]);
    expect(findSpamPhrases("Our winners list, insurgent trends, freebies, urgently")).toEqual([]);
    expect(findSpamPhrases("You're a WINNER. A winner!")).toEqual(["you're a winner", "winner"]);
    expect(findSpamPhrases("Ärger? Urgent: überweisen")).toEqual(["urgent"]);
    const issues = checkContent({
      subject: "Urgent",
      html: '<p>Risk-free</p><!-- --><a href="https://x.example.com/click-here">go</a>',
    });
    expect(issues).toEqual([
      {
        field: "subject",
        code: "spam_phrase",
        message: 'subject: "urgent" reads as spam to filters and readers',
        severity: "warning",
      },
      {
        field: "html",
        code: "spam_phrase",
        message: 'html: "risk-free" reads as spam to filters and readers',
        severity: "warning",
      },
    ]);
  });

  it("flags capitals and repeated punctuation in the subject", () => {
    expect(codes(checkContent({ subject: "LAST CHANCE TODAY" }))).toEqual(["all_caps"]);
    expect(codes(checkContent({ subject: "Really???" }))).toEqual(["excessive_punctuation"]);
    expect(codes(checkContent({ subject: "Meet the new API" }))).toEqual([]);
  });

  it("finds unresolved variables after rendering, in every part", () => {
    const issues = checkContent({ subject: "Hi {{ name }}", html: "<p>{{{raw}}}</p>", text: "{{#a}}" });
    expect(issues.filter((i) => i.code === "unresolved_variable").map((i) => [i.field, i.message])).toEqual([
      ["subject", "subject: {{ name }} was not filled in"],
      ["html", "html: {{{raw}}} was not filled in"],
      ["text", "text: {{#a}} was not filled in"],
    ]);
    expect(hasErrors(issues)).toBe(true);
  });
});

describe("checkLinks", () => {
  it("reads attributes like a browser, so quotes cannot hide a link", () => {
    const cases: [string, string[]][] = [
      ['<a title=">" href="javascript:alert(1)">x</a>', ["unsafe_link"]],
      ['<a title=" href=https://ok.example.com" href="javascript:alert(1)">x</a>', ["unsafe_link"]],
      ['<a href="javascript:alert(1)" href="https://ok.example.com">x</a>', ["unsafe_link"]],
      ["<a\nclass=x\nHREF = 'data:text/html,hi'>x</a>", ["unsafe_link"]],
      ['<a/href="javascript:alert(1)">x</a>', ["unsafe_link"]],
      ['<abbr href="javascript:alert(1)">x</abbr><address href="javascript:1">', []],
      ['<a data-href="javascript:alert(1)" href="https://ok.example.com">x</a>', []],
    ];
    for (const [html, expected] of cases)
      expect(
        checkLinks(html).map((i) => i.code),
        html,
      ).toEqual(expected);
  });

  it("reports empty, malformed, unsafe and insecure links", () => {
    const html = [
      '<a href="">empty</a>',
      "<a href='#'>hash</a>",
      '<a href="/relative">rel</a>',
      '<a href="https://exa mple.com">space</a>',
      '<a href="javascript:alert(1)">js</a>',
      '<a href="  JaVa&#x09;ScRiPt:alert(1)">obfuscated js</a>',
      '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
      "<A HREF=http://plain.example.com>http</A>",
      '<area href="https://intranet/x">',
      '<a name="anchor">no href</a>',
      '<a href="https://ok.example.com/">ok</a>',
      '<a href="tel:+441234">tel</a>',
    ].join("\n");
    expect(checkLinks(html).map((i) => [i.code, i.severity])).toEqual([
      ["empty_link", "error"],
      ["empty_link", "error"],
      ["malformed_link", "error"],
      ["malformed_link", "error"],
      ["unsafe_link", "error"],
      ["unsafe_link", "error"],
      ["unsafe_link", "error"],
      ["insecure_link", "warning"],
      ["malformed_link", "error"],
    ]);
  });
});
