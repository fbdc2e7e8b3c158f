import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** A small standalone page (no scripts, no styles beyond the browser's: works under the default CSP). */
export function emailPage(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${title}</title>
  </head>
  <body>
    <main>
      <h1>${title}</h1>
      ${body}
    </main>
  </body>
</html>`;
}

/** The address as the page shows it: enough to recognise, not to harvest from a forwarded link. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "•••";
  const local = email.slice(0, at);
  return `${local.slice(0, 1)}•••@${email.slice(at + 1)}`;
}

export const PAGE_HEADERS = { "cache-control": "no-store", "referrer-policy": "no-referrer" } as const;
