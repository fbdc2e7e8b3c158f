import type { App } from "../../types";
import { registerMetrics } from "./public/metrics";
import { registerPostReceipt } from "./public/post-receipt";
import { registerPublicVapidKey } from "./public/public-vapid-key";
import { registerStaticAssets } from "./public/static-assets";
import { registerSubscribeBrowser } from "./public/subscribe-browser";
import { registerSubscribePage } from "./public/subscribe-page";

/**
 * The browser's side, without an API key (each rate limited per address, and per project where
 * the path names one): the service worker and the subscribe page with its script and style, the
 * public key and subscribing, the delivery receipts (each signed for one delivery), and
 * /metrics behind its own token.
 */
export function registerBrowserPushRoutes(app: App) {
  registerStaticAssets(app);
  registerSubscribePage(app);
  registerPublicVapidKey(app);
  registerSubscribeBrowser(app);
  registerPostReceipt(app);
  registerMetrics(app);
}
