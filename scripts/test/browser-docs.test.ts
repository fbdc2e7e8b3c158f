// The API documentation pages in a real browser, offline: the Worker runs locally (scripts/dev.mjs on
// fresh state), headless Chromium opens /v1/docs (Swagger UI) and /v1/redoc (Redoc) with every
// request to another origin refused and recorded, and each page must render the operations of
// /v1/openapi.json with no CSP violation and no script error. Chromium is the system one (Debian
// `chromium`); without it the suite is skipped and its title says why.

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "../lib/local-worker";
import { browserSuiteTitle, findChromium } from "./helpers/chromium";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const found = findChromium();
const executablePath = "executablePath" in found ? found.executablePath : undefined;

interface Operation {
  method: string;
  path: string;
  operationId: string;
  summary?: string;
}

interface OpenApi {
  paths: Record<string, Record<string, { operationId?: string; summary?: string }>>;
}

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);
// Operations every rendering must show, by summary: the product's core calls.
const MUST_SHOW = ["Pick the copy for a notification", "getMessage", "recordEvents", "getStats"];

// Page scripts are strings: the project's types are the Workers runtime's, with no DOM.
const RECORD_CSP_VIOLATIONS = `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " (" + e.sourceFile + ":" + e.lineNumber + ")");
});`;
const READ_CSP_VIOLATIONS = "window.__cspViolations || []";

function operationsOf(doc: OpenApi): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (METHODS.has(method) && op.operationId)
        ops.push({ method, path, operationId: op.operationId, summary: op.summary });
    }
  }
  return ops;
}

describe.skipIf(!executablePath)(browserSuiteTitle("API docs offline in headless Chromium", found), () => {
  let worker: LocalWorker | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let operations: Operation[] = [];
  // Requests to other origins (refused), CSP reports, uncaught exceptions, console errors, 4xx/5xx.
  let offOrigin: string[] = [];
  let problems: string[] = [];

  beforeAll(async () => {
    if (!executablePath) throw new Error("unreachable: the suite is skipped without Chromium");
    [worker, browser] = await Promise.all([
      startLocalWorker(),
      chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] }),
    ]);
    const origin = worker.origin;
    const res = await fetch(`${origin}/v1/openapi.json`);
    expect(res.status).toBe(200);
    operations = operationsOf((await res.json()) as OpenApi);
    expect(operations.length).toBeGreaterThan(10);

    // No service workers: their requests would bypass the routing below.
    context = await browser.newContext({ serviceWorkers: "block" });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      offOrigin.push(`${route.request().method()} ${url}`);
      return route.abort("blockedbyclient");
    });
    await context.addInitScript(RECORD_CSP_VIOLATIONS);
    page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => {
      const text = msg.text();
      if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
      // Failed loads are reported below, with their URL.
      else if (msg.type() === "error" && !text.startsWith("Failed to load resource"))
        problems.push(`console: ${text}`);
    });
    page.on("response", (r) => {
      // Chromium asks for /favicon.ico on its own; the Worker has none.
      if (r.status() >= 400 && new URL(r.url()).pathname !== "/favicon.ico")
        problems.push(`HTTP ${r.status()} ${r.url()}`);
    });
  }, 90_000);

  beforeEach(() => {
    offOrigin = [];
    problems = [];
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await worker?.stop();
  }, 30_000);

  /** Fails with everything the page reported when `wait` times out. */
  async function waitOr(wait: Promise<unknown>, what: string) {
    await wait.catch(async (err: Error) => {
      throw new Error(`${what}: ${err.message}\n${[...offOrigin, ...problems].join("\n")}`);
    });
  }

  async function expectCleanPage() {
    if (!page) throw new Error("beforeAll did not finish");
    expect(offOrigin, "requests to other origins").toEqual([]);
    expect(await page.evaluate<string[]>(READ_CSP_VIOLATIONS), "CSP violations").toEqual([]);
    expect(problems).toEqual([]);
  }

  function expectTextShowsOperations(text: string) {
    for (const needle of MUST_SHOW) {
      const op = operations.find((o) => o.operationId === needle || o.summary === needle);
      expect(op, `${needle} is in /v1/openapi.json`).toBeDefined();
      expect(text).toContain(op?.summary ?? needle);
    }
  }

  it("Swagger UI at /v1/docs lists every operation", async () => {
    if (!page || !worker) throw new Error("beforeAll did not finish");
    const res = await page.goto(`${worker.origin}/v1/docs`);
    expect(res?.status()).toBe(200);
    // The default policy: no inline script, no other origin.
    expect(res?.headers()["content-security-policy"]).toMatch(/script-src 'self';/);

    await waitOr(page.waitForSelector(".opblock", { timeout: 30_000 }), "Swagger UI rendered no operation");
    // A long document is rendered as it scrolls into view (only the blocks on screen are in the
    // DOM), so the page is scrolled a screen at a time and what each screen shows is collected.
    const ids = new Set<string>();
    let text = "";
    for (let y = 0, bottom = 1; y < bottom; y += 600) {
      await page.evaluate(`window.scrollTo(0, ${y})`);
      await sleep(120);
      for (const id of await page.locator(".opblock").evaluateAll((els) => els.map((el) => el.id)))
        ids.add(id);
      text += (await page.locator("#swagger-ui").textContent()) ?? "";
      bottom = Number(await page.evaluate("document.documentElement.scrollHeight"));
    }
    // Every operation is one block, whose id ends in its operationId.
    for (const op of operations) {
      expect(
        [...ids].some((id) => id.endsWith(`-${op.operationId}`)),
        `${op.method.toUpperCase()} ${op.path}`,
      ).toBe(true);
    }
    expectTextShowsOperations(text);
    await expectCleanPage();
  }, 60_000);

  it("Redoc at /v1/redoc lists every operation", async () => {
    if (!page || !worker) throw new Error("beforeAll did not finish");
    const res = await page.goto(`${worker.origin}/v1/redoc`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/https?:|\*/);

    await waitOr(
      page.waitForSelector('[data-section-id^="operation/"]', { timeout: 30_000 }),
      "Redoc rendered no operation",
    );
    const ids = await page
      .locator('[data-section-id^="operation/"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-section-id")));
    for (const op of operations) {
      expect(ids, `${op.method.toUpperCase()} ${op.path}`).toContain(`operation/${op.operationId}`);
    }
    expectTextShowsOperations((await page.locator("redoc").textContent()) ?? "");
    // The search box runs in Redoc's blob: worker; a result proves the worker ran under the policy.
    await page.locator('input[placeholder="Search..."]').fill("notification");
    await waitOr(
      page.waitForSelector('[data-role="search:results"] li', { timeout: 10_000 }),
      "Redoc search found nothing",
    );
    await expectCleanPage();
  }, 60_000);
});
