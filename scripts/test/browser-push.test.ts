// The browser side of Web Push in a real browser: the Worker runs locally (scripts/dev.mjs on fresh
// state), headless Chromium opens the subscribe page and registers the service worker. Chromium is
// the system one (Debian `chromium`), driven by playwright-core, which downloads no browser; with
// none installed (CI) the suite is skipped, and its title says why.

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_PROJECT_ID, type LocalWorker, startLocalWorker } from "../lib/local-worker";
import { browserSuiteTitle, findChromium } from "./helpers/chromium";

const found = findChromium();
const executablePath = "executablePath" in found ? found.executablePath : undefined;
const title = "browser push in headless Chromium";
// One scope per project, so two projects' pages on this origin never replace each other's worker.
const SCOPE = `/push/${DEV_PROJECT_ID}/`;
const SW_SUFFIX = `${SCOPE}sw.js`;

// The page scripts below are strings: the project's types are the Workers runtime's, with no DOM.
interface Registration {
  scope: string | null;
  active: string | null;
  controller: string | null;
}
const READ_REGISTRATION = `(async () => {
  const reg = await navigator.serviceWorker.getRegistration("/push/${DEV_PROJECT_ID}/");
  return {
    scope: reg ? reg.scope : null,
    active: reg && reg.active ? reg.active.scriptURL : null,
    controller: navigator.serviceWorker.controller ? navigator.serviceWorker.controller.scriptURL : null,
  };
})()`;

describe.skipIf(!executablePath)(browserSuiteTitle(title, found), () => {
  let worker: LocalWorker | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  // Uncaught exceptions, console errors and failed requests of the page.
  const problems: string[] = [];
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

  beforeAll(async () => {
    if (!executablePath) throw new Error("unreachable: the suite is skipped without Chromium");
    [worker, browser] = await Promise.all([
      startLocalWorker(),
      chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] }),
    ]);
    console.log(`worker on ${worker.origin}, ${browser.version()} up after ${elapsed()}`);
    context = await browser.newContext();
    page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => {
      // Failed loads are reported below, with their URL.
      if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
        problems.push(`console: ${msg.text()}`);
    });
    page.on("response", (res) => {
      // Chromium asks for /favicon.ico on its own; the Worker has none.
      if (res.status() >= 400 && new URL(res.url()).pathname !== "/favicon.ico")
        problems.push(`HTTP ${res.status()} ${res.url()}`);
    });
  }, 90_000);

  afterAll(async () => {
    // Each step on its own, so one failing still lets the others clean up.
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await worker?.stop();
    console.log(`cleaned up after ${elapsed()}`);
  }, 30_000);

  it("loads the subscribe page and registers the service worker", async () => {
    if (!page || !worker || !context) throw new Error("beforeAll did not finish");
    const url = `${worker.origin}/push/${DEV_PROJECT_ID}/subscribe`;
    const res = await page.goto(url);
    expect(res?.status(), (await res?.text()) ?? "no response").toBe(200);

    const status = page.locator("#status");
    await page
      .waitForSelector('#status[data-state="registered"]', { timeout: 20_000 })
      .catch(async (err: Error) => {
        throw new Error(
          `${err.message}\nstatus: ${await status.getAttribute("data-state")} ${await status.textContent()}\n${problems.join("\n")}`,
        );
      });
    expect(await status.textContent()).toContain(`scope ${worker.origin}${SCOPE}`);

    // The worker claims its clients on activate, so the page becomes controlled soon after.
    await page.waitForFunction("navigator.serviceWorker.controller !== null", undefined, {
      timeout: 10_000,
    });
    const reg = await page.evaluate<Registration>(READ_REGISTRATION);
    expect(reg.scope).toBe(`${worker.origin}${SCOPE}`);
    expect(reg.active).toMatch(new RegExp(`${escapeRegExp(SW_SUFFIX)}$`));
    expect(reg.controller).toMatch(new RegExp(`${escapeRegExp(SW_SUFFIX)}$`));
    // Playwright sees the same worker from the browser's side.
    expect(context.serviceWorkers().map((w) => w.url())).toContain(`${worker.origin}${SW_SUFFIX}`);

    // The public key the page subscribes with: an uncompressed P-256 point, base64url (65 bytes).
    const key = await page.evaluate<{ status: number; body: { public_key?: unknown } }>(
      `fetch("/push/${DEV_PROJECT_ID}/vapid-public-key").then(async (r) => ({ status: r.status, body: await r.json() }))`,
    );
    expect(key.status, JSON.stringify(key.body)).toBe(200);
    expect(key.body.public_key).toMatch(/^B[A-Za-z0-9_-]{86}$/);
    expect(problems).toEqual([]);
  }, 30_000);

  it("answers 'Enable notifications' with subscribed or a readable error", async () => {
    if (!page || !worker || !context) throw new Error("beforeAll did not finish");
    const url = `${worker.origin}/push/${DEV_PROJECT_ID}/subscribe`;
    if (page.url() !== url) await page.goto(url); // when run on its own (-t)
    await context.grantPermissions(["notifications"], { origin: worker.origin });
    await page.getByRole("button", { name: "Enable notifications" }).click();
    // Headless Chromium refuses pushManager.subscribe ("Registration failed - permission denied")
    // even with notifications granted and permissionState "granted"; a headed one needs FCM, which
    // CI cannot reach. Either way the page must say so rather than hang or throw.
    const status = page.locator("#status");
    await page
      .waitForSelector('#status[data-state="subscribed"], #status[data-state="error"]', { timeout: 20_000 })
      .catch(async (err: Error) => {
        throw new Error(
          `${err.message}\nstatus: ${await status.getAttribute("data-state")} ${await status.textContent()}`,
        );
      });
    const state = await status.getAttribute("data-state");
    const text = (await status.textContent()) ?? "";
    console.log(`Enable notifications → data-state="${state}": ${text}`);
    if (state === "subscribed") expect(text).toMatch(/^Subscribed: sub_/);
    else expect(text).toMatch(/^(Could not subscribe|Error): \S/);
  }, 30_000);
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
