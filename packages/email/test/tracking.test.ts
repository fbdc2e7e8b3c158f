import { describe, expect, it } from "vitest";
import {
  addOpenPixel,
  checkLinks,
  listUnsubscribeHeaders,
  rewriteLinks,
  signClickToken,
  signOpenToken,
  signUnsubscribeToken,
  verifyClickToken,
  verifyOpenToken,
  verifyUnsubscribeToken,
} from "../src";

const SECRET = "test-tracking-secret-0123456789";
const CLICK = "https://edge.example.com/v1/email/c/";

describe("rewriteLinks", () => {
  const html = [
    "<html><body>",
    '<a href="https://shop.example.com/cart?a=1&amp;b=2">cart</a>',
    "<a class='x' href='http://old.example.com/'>old</a>",
    '<a href="https://shop.example.com/cart?a=1&amp;b=2">cart again</a>',
    '<a href="mailto:help@example.com">mail</a>',
    '<a href="https://edge.example.com/u/tok">unsubscribe</a>',
    '<a href="javascript:alert(1)">bad</a>',
    '<img src="https://cdn.example.com/logo.png">',
    "<a href=https://bare.example.com/x>bare</a>",
    "</body></html>",
  ].join("\n");

  it("points each http(s) link at a signed click URL and keeps the originals", async () => {
    const out = await rewriteLinks(html, {
      messageId: "eml_1",
      secret: SECRET,
      clickBase: CLICK,
      exclude: (url) => url.startsWith("https://edge.example.com/u/"),
    });
    // Entities decoded: the list holds the URLs a mail client would have followed.
    expect(out.links).toEqual([
      "https://shop.example.com/cart?a=1&b=2",
      "http://old.example.com/",
      "https://bare.example.com/x",
    ]);
    const hrefs = Array.from(out.html.matchAll(/href=["']?([^"'\s>]+)/g), (m) => m[1]);
    expect(hrefs.slice(0, 3)).toEqual([
      `${CLICK}${await signClickToken(SECRET, "eml_1", 0)}`,
      `${CLICK}${await signClickToken(SECRET, "eml_1", 1)}`,
      `${CLICK}${await signClickToken(SECRET, "eml_1", 0)}`,
    ]);
    expect(hrefs.slice(3)).toEqual([
      "mailto:help@example.com",
      "https://edge.example.com/u/tok",
      "javascript:alert(1)",
      `${CLICK}${await signClickToken(SECRET, "eml_1", 2)}`,
    ]);
    expect(out.html).toContain('<img src="https://cdn.example.com/logo.png">');
    expect(out.html).toContain(">cart again</a>");
    // The rewritten HTML still passes the link checks (apart from the javascript: link it left alone).
    expect(checkLinks(out.html).map((i) => i.code)).toEqual(["unsafe_link"]);
  });

  it("round-trips every token to its message and link index", async () => {
    const out = await rewriteLinks(html, { messageId: "eml_2", secret: SECRET, clickBase: CLICK });
    const tokens = Array.from(out.html.matchAll(/\/c\/([^"'\s>]+)/g), (m) => m[1] ?? "");
    const verified = await Promise.all(tokens.map((t) => verifyClickToken(SECRET, t)));
    expect(verified.map((v) => (v.ok ? out.links[v.index] : null))).toEqual([
      "https://shop.example.com/cart?a=1&b=2",
      "http://old.example.com/",
      "https://shop.example.com/cart?a=1&b=2",
      "https://edge.example.com/u/tok",
      "https://bare.example.com/x",
    ]);
    expect(verified.every((v) => v.ok && v.messageId === "eml_2")).toBe(true);
  });

  it("rewrites the href a browser follows and leaves look-alikes in other attributes", async () => {
    const out = await rewriteLinks(
      '<a title=" href=https://decoy.example.com >" href="https://real.example.com/">x</a>',
      {
        messageId: "eml_3",
        secret: SECRET,
        clickBase: CLICK,
      },
    );
    expect(out.links).toEqual(["https://real.example.com/"]);
    expect(out.html).toBe(
      `<a title=" href=https://decoy.example.com >" href="${CLICK}${await signClickToken(SECRET, "eml_3", 0)}">x</a>`,
    );
  });

  it("leaves HTML without links unchanged and refuses a bad message id", async () => {
    expect(await rewriteLinks("<p>hi</p>", { messageId: "m", secret: SECRET, clickBase: CLICK })).toEqual({
      html: "<p>hi</p>",
      links: [],
    });
    await expect(rewriteLinks("", { messageId: "a.b", secret: SECRET, clickBase: CLICK })).rejects.toThrow(
      /messageId/,
    );
  });
});

describe("click and open tokens", () => {
  it("reject forgeries, other secrets, other purposes and malformed input", async () => {
    const click = await signClickToken(SECRET, "eml_1", 3);
    expect(await verifyClickToken(SECRET, click)).toEqual({ ok: true, messageId: "eml_1", index: 3 });
    const [id, , sig] = click.split(".");
    expect(await verifyClickToken(SECRET, `${id}.4.${sig}`)).toEqual({ ok: false });
    expect(await verifyClickToken("another-secret-0123456789", click)).toEqual({ ok: false });
    const open = await signOpenToken(SECRET, "eml_1");
    expect(await verifyOpenToken(SECRET, open)).toEqual({ ok: true, messageId: "eml_1" });
    // An open token is not a click token and the other way round.
    expect(await verifyClickToken(SECRET, `${id}.0.${open.split(".")[1]}`)).toEqual({ ok: false });
    expect(await verifyOpenToken(SECRET, `${id}.${sig}`)).toEqual({ ok: false });
    for (const bad of ["", "x", "a.b.c.d", `${click}x`, `${"a".repeat(300)}.1.${sig}`, `${id}.-1.${sig}`]) {
      expect(await verifyClickToken(SECRET, bad)).toEqual({ ok: false });
      expect(await verifyOpenToken(SECRET, bad)).toEqual({ ok: false });
    }
  });
});

describe("addOpenPixel", () => {
  it("goes before the last </body>, or at the end", () => {
    const url = "https://edge.example.com/v1/email/o/eml_1.sig?x=1&y=2";
    expect(addOpenPixel("<body><p>x</p></BODY >", url)).toBe(
      '<body><p>x</p><img src="https://edge.example.com/v1/email/o/eml_1.sig?x=1&amp;y=2" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;overflow:hidden" /></BODY >',
    );
    expect(addOpenPixel("<p>x</p>", url)).toMatch(/^<p>x<\/p><img src=/);
  });
});

describe("unsubscribe", () => {
  it("signs and verifies one-click tokens", async () => {
    const token = await signUnsubscribeToken(SECRET, {
      projectId: "prj_1",
      contactId: "con_2",
      campaignId: "cmp_3",
    });
    expect(await verifyUnsubscribeToken(SECRET, token)).toEqual({
      ok: true,
      projectId: "prj_1",
      contactId: "con_2",
      campaignId: "cmp_3",
    });
    const noCampaign = await signUnsubscribeToken(SECRET, { projectId: "prj_1", contactId: "con_2" });
    expect(await verifyUnsubscribeToken(SECRET, noCampaign)).toEqual({
      ok: true,
      projectId: "prj_1",
      contactId: "con_2",
    });
    // Another contact's id with this signature does not verify.
    expect(await verifyUnsubscribeToken(SECRET, token.replace("con_2", "con_9"))).toEqual({ ok: false });
    expect(await verifyUnsubscribeToken(SECRET, "prj_1.con_2.-")).toEqual({ ok: false });
  });

  it("builds RFC 8058 headers", () => {
    expect(listUnsubscribeHeaders("https://edge.example.com/u/tok", "unsub@example.com")).toEqual({
      "List-Unsubscribe": "<https://edge.example.com/u/tok>, <mailto:unsub@example.com>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(listUnsubscribeHeaders("https://edge.example.com/u/tok")["List-Unsubscribe"]).toBe(
      "<https://edge.example.com/u/tok>",
    );
    expect(() => listUnsubscribeHeaders("http://edge.example.com/u/tok")).toThrow(/https/);
    expect(() => listUnsubscribeHeaders("/u/tok")).toThrow(/absolute/);
    expect(() => listUnsubscribeHeaders("https://e.example.com/u", "a@b.com>, <https://evil")).toThrow(
      /mailto/,
    );
  });
});
