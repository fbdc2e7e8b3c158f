import { html } from "hono/html";
import { rateLimit } from "../../../ratelimit/middleware";
import { contactForToken, unsubscribeByToken } from "../../../services/contacts/preferences";
import type { App } from "../../types";
import { EMAIL_PAGE_LIMITS } from "./limits";
import { emailPage, maskEmail, PAGE_HEADERS } from "./page";

const tokenOf = (value: string | undefined) => (value && value.length <= 300 ? value : "");
const invalid = () =>
  emailPage(
    "Link not valid",
    html`<p>This unsubscribe link is not valid or has expired. Use the link from a recent email.</p>`,
  );

/**
 * RFC 8058 one-click unsubscribe: `POST /email/unsubscribe?token=…` with the body
 * `List-Unsubscribe=One-Click` (what mail clients send from the List-Unsubscribe-Post header),
 * and `GET` the same URL: a page whose button posts that body. Pages, not API operations: no key,
 * the signed token is the only identity, rate limited per address. A bad token is a 400 page.
 */
export function registerUnsubscribePages(app: App) {
  app.get("/email/unsubscribe", rateLimit("email-page", EMAIL_PAGE_LIMITS.view), async (c) => {
    const token = tokenOf(c.req.query("token"));
    const found = token ? await contactForToken({ ctx: c.get("ctx"), input: { token } }) : null;
    if (!found) return c.html(invalid(), 400, PAGE_HEADERS);
    const action = `/email/unsubscribe?token=${encodeURIComponent(token)}`;
    const preferences = `/email/preferences?token=${encodeURIComponent(token)}`;
    if (found.contact.status !== "subscribed") {
      return c.html(
        emailPage(
          "You are unsubscribed",
          html`<p>${maskEmail(found.contact.email)} gets no more of these emails.</p>
            <p><a href="${preferences}">Manage your preferences</a></p>`,
        ),
        200,
        PAGE_HEADERS,
      );
    }
    return c.html(
      emailPage(
        "Unsubscribe",
        html`<p>Stop emails to ${maskEmail(found.contact.email)}?</p>
          <form method="post" action="${action}">
            <input type="hidden" name="List-Unsubscribe" value="One-Click" />
            <input type="hidden" name="source" value="page" />
            <button type="submit">Unsubscribe</button>
          </form>
          <p><a href="${preferences}">Manage your preferences</a></p>`,
      ),
      200,
      PAGE_HEADERS,
    );
  });

  app.post("/email/unsubscribe", rateLimit("email-change", EMAIL_PAGE_LIMITS.change), async (c) => {
    const token = tokenOf(c.req.query("token"));
    let form: Record<string, string | File> = {};
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>;
    } catch {
      form = {};
    }
    if (form["List-Unsubscribe"] !== "One-Click") {
      return c.html(
        emailPage("Not unsubscribed", html`<p>Use the button on the unsubscribe page.</p>`),
        400,
        PAGE_HEADERS,
      );
    }
    const source = form.source === "page" ? "unsubscribe_page" : "one_click";
    const contact = token ? await unsubscribeByToken({ ctx: c.get("ctx"), input: { token, source } }) : null;
    if (!contact) return c.html(invalid(), 400, PAGE_HEADERS);
    const preferences = `/email/preferences?token=${encodeURIComponent(token)}`;
    return c.html(
      emailPage(
        "You are unsubscribed",
        html`<p>${maskEmail(contact.email)} gets no more of these emails.</p>
          <p><a href="${preferences}">Changed your mind? Manage your preferences</a></p>`,
      ),
      200,
      PAGE_HEADERS,
    );
  });
}
