import { html } from "hono/html";
import { rateLimit } from "../../../ratelimit/middleware";
import { recordClick, recordOpen } from "../../../services/campaigns/track-email";
import type { App } from "../../types";
import { emailPage, PAGE_HEADERS } from "./page";

const MINUTE = 60_000;
// Mail clients load a message's pixel and its links from one address (a proxy for many readers).
const TRACKING_LIMITS = { perIp: { limit: 600, windowMs: MINUTE } } as const;
// The smallest transparent GIF.
const PIXEL = Uint8Array.from(atob("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), (ch) =>
  ch.charCodeAt(0),
);

/**
 * `GET /email/o/{token}.gif` (open pixel) and `GET /email/c/{token}` (click redirect): public, no
 * key, the signed token is the only identity, rate limited per address. Outside the OpenAPI
 * document like the unsubscribe pages (a GIF and a redirect, not JSON).
 */
export function registerTrackingRoutes(app: App) {
  app.get("/email/o/:file", rateLimit("email-track", TRACKING_LIMITS), async (c) => {
    const file = c.req.param("file");
    if (file.endsWith(".gif") && file.length <= 204) {
      await recordOpen({
        ctx: c.get("ctx"),
        input: { token: file.slice(0, -4), userAgent: c.req.header("user-agent") ?? "" },
      });
    }
    // Always the pixel: a broken image tells nobody whether the token was good.
    return c.body(PIXEL, 200, { "content-type": "image/gif", ...PAGE_HEADERS });
  });

  app.get("/email/c/:token", rateLimit("email-track", TRACKING_LIMITS), async (c) => {
    const url = await recordClick({ ctx: c.get("ctx"), input: { token: c.req.param("token") } });
    if (!url) {
      return c.html(
        emailPage("Link not valid", html`<p>This link is not valid. Use the link from a recent email.</p>`),
        400,
        PAGE_HEADERS,
      );
    }
    return c.redirect(url, 302);
  });
}
