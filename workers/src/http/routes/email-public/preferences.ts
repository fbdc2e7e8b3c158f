import { html } from "hono/html";
import { rateLimit } from "../../../ratelimit/middleware";
import {
  contactForToken,
  mayResubscribe,
  resubscribeByToken,
  unsubscribeByToken,
} from "../../../services/contacts/preferences";
import type { App } from "../../types";
import { EMAIL_PAGE_LIMITS } from "./limits";
import { emailPage, maskEmail, PAGE_HEADERS } from "./page";

const tokenOf = (value: string | undefined) => (value && value.length <= 300 ? value : "");
const invalid = () =>
  emailPage(
    "Link not valid",
    html`<p>This preferences link is not valid. Use the link from a recent email.</p>`,
  );

const STATUS_WORDS: Record<string, string> = {
  subscribed: "subscribed",
  unsubscribed: "unsubscribed",
  bounced: "paused: our emails to this address bounced",
  complained: "unsubscribed (marked as spam)",
};

/**
 * The hosted preferences page: the person behind a signed token sees their status and can
 * unsubscribe or subscribe again (lifting only their own unsubscribe; bounces and spam reports
 * stay suppressed). POST → 303 back to the page.
 */
export function registerPreferencesPages(app: App) {
  app.get("/email/preferences", rateLimit("email-page", EMAIL_PAGE_LIMITS.view), async (c) => {
    const token = tokenOf(c.req.query("token"));
    const found = token ? await contactForToken({ ctx: c.get("ctx"), input: { token } }) : null;
    if (!found) return c.html(invalid(), 400, PAGE_HEADERS);
    const { contact } = found;
    const action = `/email/preferences?token=${encodeURIComponent(token)}`;
    const own =
      contact.status === "unsubscribed" &&
      (await mayResubscribe({
        ctx: c.get("ctx"),
        input: { projectId: found.projectId, email: contact.email },
      }));
    const button =
      contact.status === "subscribed"
        ? html`<input type="hidden" name="action" value="unsubscribe" /><button type="submit">Unsubscribe</button>`
        : own
          ? html`<input type="hidden" name="action" value="resubscribe" /><button type="submit">Subscribe again</button>`
          : contact.status === "unsubscribed"
            ? html`<p>The sender took this address off their list; ask them if you want their emails again.</p>`
            : html``;
    return c.html(
      emailPage(
        "Email preferences",
        html`<p>${maskEmail(contact.email)} is <strong>${STATUS_WORDS[contact.status] ?? contact.status}</strong>.</p>
          <form method="post" action="${action}">${button}</form>`,
      ),
      200,
      PAGE_HEADERS,
    );
  });

  app.post("/email/preferences", rateLimit("email-change", EMAIL_PAGE_LIMITS.change), async (c) => {
    const token = tokenOf(c.req.query("token"));
    let form: Record<string, string | File> = {};
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>;
    } catch {
      form = {};
    }
    const ctx = c.get("ctx");
    let ok: boolean;
    if (form.action === "unsubscribe") {
      ok =
        token !== "" && (await unsubscribeByToken({ ctx, input: { token, source: "preferences" } })) !== null;
    } else if (form.action === "resubscribe") {
      ok = token !== "" && (await resubscribeByToken({ ctx, input: { token } })) !== null;
    } else {
      return c.html(
        emailPage("Nothing changed", html`<p>Use the buttons on the preferences page.</p>`),
        400,
        PAGE_HEADERS,
      );
    }
    if (!ok) return c.html(invalid(), 400, PAGE_HEADERS);
    return c.redirect(`/email/preferences?token=${encodeURIComponent(token)}`, 303);
  });
}
