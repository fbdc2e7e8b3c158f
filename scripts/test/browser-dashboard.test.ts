// The dashboard in a real browser: the Worker runs locally (scripts/dev.mjs on fresh state) and
// headless Chromium (Debian `chromium`, driven by playwright-core, no browser download) signs up,
// creates a project and a key, sends traffic with that key through /v1/message and /v1/events,
// and finds the numbers and the chart on the experiment page. axe-core checks every page visited
// (zero serious or critical violations); screenshots go to .artifacts/dashboard/ (git-ignored).
// Without Chromium the suite is skipped and its title says why.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWorker, startLocalWorker } from "../lib/local-worker";
import { browserSuiteTitle, findChromium } from "./helpers/chromium";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ARTIFACTS = path.join(ROOT, ".artifacts", "dashboard");
const AXE_SOURCE = readFileSync(
  createRequire(path.join(ROOT, "package.json")).resolve("axe-core/axe.min.js"),
  "utf8",
);

const found = findChromium();
const executablePath = "executablePath" in found ? found.executablePath : undefined;
const title = "the dashboard in headless Chromium";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

describe.skipIf(!executablePath)(browserSuiteTitle(title, found), () => {
  let worker: LocalWorker | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  // Uncaught exceptions, console errors (CSP violations among them) and failed requests.
  const problems: string[] = [];
  // Every page the axe check ran on, with what it found at serious or critical impact.
  const audited: { page: string; violations: string[] }[] = [];
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

  /** axe-core on the current page; evaluated through the DevTools protocol, so the CSP stays on. */
  async function audit(name: string) {
    if (!page) throw new Error("no page");
    await page.evaluate(AXE_SOURCE);
    const violations = (await page.evaluate(
      "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
    )) as AxeViolation[];
    const bad = violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    audited.push({ page: name, violations: bad });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    if (!executablePath) throw new Error("unreachable: the suite is skipped without Chromium");
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ROOT, ".artifacts", ".gitignore"), "# Screenshots of the browser tests.\n*\n");
    [worker, browser] = await Promise.all([
      startLocalWorker(),
      chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] }),
    ]);
    console.log(`worker on ${worker.origin}, ${browser.version()} up after ${elapsed()}`);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() !== "error" || msg.text().startsWith("Failed to load resource")) return;
      // A sent mail shown on the dashboard keeps its open pixel, which the mail frame's own policy
      // blocks on purpose: reading a mail there must not count as an open.
      if (
        /violates the following Content Security Policy directive: "img-src (?:'self' )?data:"/.test(
          msg.text(),
        ) &&
        /\/email\/o\/[^'"]+\.gif/.test(msg.text())
      )
        return;
      problems.push(`console (${new URL(page?.url() ?? "about:blank").pathname}): ${msg.text()}`);
    });
    page.on("response", (res) => {
      const pathname = new URL(res.url()).pathname;
      // Chromium asks for /favicon.ico on its own; the wrong password is meant to answer 400.
      if (res.status() >= 400 && pathname !== "/favicon.ico" && pathname !== "/app/sign-in")
        problems.push(`HTTP ${res.status()} ${res.url()}`);
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await worker?.stop();
    console.log(`cleaned up after ${elapsed()}`);
  }, 30_000);

  it("signs up, creates a project and a key, sends traffic, and shows the numbers and the chart", async () => {
    if (!page || !worker || !context) throw new Error("beforeAll did not finish");
    const origin = worker.origin;

    // A visitor lands on sign-in.
    await page.goto(`${origin}/app`);
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");
    await audit("01-sign-in");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL(/\/app\/sign-up$/);
    await audit("02-sign-up");
    const email = `dash-${Date.now()}@example.com`;
    await page.getByLabel("Name").fill("Ada");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("correct horse battery staple");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/app\/projects\/new$/);

    // Chromium kept the __Host- cookie over http://localhost (a secure context), HttpOnly.
    const cookie = (await context.cookies()).find((c) => c.name === "__Host-pb_session");
    expect(cookie, "the session cookie").toBeDefined();
    expect(cookie?.secure).toBe(true);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    expect(await page.evaluate("document.cookie")).not.toContain("pb_session");
    await audit("03-new-project");

    await page.getByLabel("Project name").fill("Shop <b>demo</b>");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/app\/p\/prj_[\w-]+$/);
    const projectId = new URL(page.url()).pathname.split("/")[3] ?? "";
    await expect(page.getByRole("heading", { name: "Send your first message" })).toBeDefined();
    expect(await page.locator("pre.code").textContent()).toContain(`${origin}/v1/message`);
    await audit("04-home-empty");

    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.waitForURL(/\/settings\/keys$/);
    await page.getByLabel("Name", { exact: true }).fill("Browser test");
    await page.getByRole("checkbox", { name: /^read/ }).check();
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = ((await page.locator("#new-key-secret").textContent()) ?? "").trim();
    expect(secret).toMatch(/^pb_live_/);
    await audit("05-api-key-created");

    // Traffic with that key: 40 users get copy, 12 open it, 3 convert.
    const api = (p: string, body: unknown) =>
      fetch(`${origin}${p}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const tokens: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await api("/v1/message", {
        intent_id: "cart_abandonment",
        base_example: "You left items in your cart",
        locale: "en-US",
        user_id: `u_${i}`,
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      tokens.push((JSON.parse(text) as { tracking_token: string }).tracking_token);
    }
    const now = Date.now();
    const events = [
      ...tokens.slice(0, 12).map((t) => ({ type: "opened", tracking_token: t, timestamp: now })),
      ...tokens.slice(0, 3).map((t) => ({ type: "conversion", tracking_token: t, timestamp: now })),
    ];
    const ingest = await api("/v1/events", events);
    expect(ingest.status, await ingest.text()).toBeLessThan(300);

    await page.getByRole("link", { name: "Experiments" }).click();
    await page.waitForURL(/\/experiments$/);
    const row = page.getByRole("link", { name: "cart_abandonment" });
    await row.waitFor();
    await audit("06-experiments");

    // Keyboard: the first Tab lands on "Skip to content", which moves focus into the page; Tab
    // from there reaches the page's own controls (here the filters), each with a visible name.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.getAttribute('href')")).toBe("#main");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe("main");
    await page.keyboard.press("Tab");
    const focused = (await page.evaluate(
      "[document.activeElement?.tagName, document.activeElement?.labels?.[0]?.textContent ?? document.activeElement?.textContent ?? '']",
    )) as [string, string];
    expect(["INPUT", "SELECT", "A", "BUTTON"]).toContain(focused[0]);
    expect(focused[1].trim()).not.toBe("");
    await row.click();
    await page.waitForURL(/\/experiments\/exp_[\w-]+$/);

    // The queue consumers aggregate in the background: reload until the page has every count.
    const deadline = Date.now() + 30_000;
    let summary = "";
    for (;;) {
      summary = (await page.getByRole("region", { name: "Summary" }).textContent()) ?? "";
      if (/40 impressions · 12 opens · 3 conversions/.test(summary) || Date.now() > deadline) break;
      await sleep(1000);
      await page.reload();
    }
    expect(summary).toMatch(/40 impressions · 12 opens · 3 conversions/);
    const table = (await page.locator("table").first().textContent()) ?? "";
    expect(table).toContain("You left items in your cart");
    // uPlot drew both charts into canvases.
    await page.locator(".chart canvas").first().waitFor();
    expect(await page.locator(".chart canvas").count()).toBeGreaterThanOrEqual(2);
    await audit("07-experiment");

    // On a phone: the same page, readable at 390 px wide (tables scroll inside their box).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.locator(".chart canvas").first().waitFor();
    const overflow = await page.evaluate(
      "document.documentElement.scrollWidth - document.documentElement.clientWidth",
    );
    const wide = await page.evaluate(
      `[...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 8).map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`,
    );
    expect(overflow, `the page scrolls sideways on a phone: ${JSON.stringify(wide)}`).toBeLessThanOrEqual(0);
    await audit("07b-experiment-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.reload();

    // A simulation (htmx swaps its result in place) and then an analysis, with its charts.
    const simulate = page.getByRole("form", { name: "Simulate traffic" });
    await simulate.getByRole("button", { name: "Simulate" }).click();
    const simulated = page.locator("#simulation-slot #simulation-result");
    await simulated.waitFor({ timeout: 30_000 });
    expect(await simulated.textContent()).toContain("Simulation result");
    await audit("07d-experiment-simulated");
    await page.getByRole("button", { name: "Analyze", exact: true }).click();
    await page.waitForURL(/\/experiments\/exp_[^/?#]+([?#].*)?$/);
    const analysis = page.locator("section#analysis");
    await analysis.getByRole("heading", { name: "Insights" }).waitFor();
    expect(await analysis.textContent()).toContain("Recommendation");
    await analysis.locator("canvas").first().waitFor();
    await audit("07e-experiment-analysis");

    // Revoking the key through htmx (its confirm, its CSRF header) swaps the row in place.
    await page.getByRole("link", { name: "Settings", exact: true }).click();
    await page.waitForURL(/\/settings\/keys$/);
    page.once("dialog", (d) => void d.accept());
    const urlBefore = page.url();
    await page.getByRole("button", { name: "Revoke Browser test" }).click();
    await page.locator("tr", { hasText: "Browser test" }).getByText("revoked").waitFor();
    expect(page.url()).toBe(urlBefore);
    const refused = await fetch(`${origin}/v1/message`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ intent_id: "cart_abandonment", base_example: "You left items in your cart" }),
    });
    expect(refused.status).toBe(401);
    await audit("07c-api-key-revoked");

    // The rest of settings: members (the owner alone), the limits table, and the audit log, which
    // has the key's creation and revocation.
    const settingsNav = page.getByRole("navigation", { name: "Settings" });
    await settingsNav.getByRole("link", { name: "Members" }).click();
    await page.waitForURL(/\/settings\/members$/);
    expect(await page.locator("main").textContent()).toContain(email);
    await audit("15-settings-members");
    await settingsNav.getByRole("link", { name: "Limits" }).click();
    await page.waitForURL(/\/settings\/limits$/);
    await audit("16-settings-limits");
    await settingsNav.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(/\/settings\/audit-log$/);
    expect(await page.locator("main").textContent()).toMatch(/revoke/i);
    await audit("17-settings-audit-log");

    // Push: the empty page points at the subscribe page; a broadcast from the form lands in the history.
    await page.getByRole("link", { name: "Push", exact: true }).click();
    await page.waitForURL(/\/push$/);
    await page.getByRole("link", { name: `/push/${projectId}/subscribe` }).waitFor();
    await audit("10-push-empty");
    const sendForm = page.getByRole("region", { name: "Send a notification" });
    await sendForm.getByLabel("Title").fill("Browser <b>hello</b>");
    await sendForm.getByRole("radio", { name: /everyone/ }).check();
    await sendForm.getByRole("button", { name: "Send now" }).click();
    await page.waitForURL(/\/push\?sent=ntf_/);
    await page.getByRole("status").waitFor();
    expect(await page.getByRole("table").last().textContent()).toContain("Browser <b>hello</b>");
    await audit("11-push-sent");

    // Ad channels: connect the sandbox from the empty page, then the numbers and both charts.
    await page.getByRole("link", { name: "Ad channels" }).click();
    await page.waitForURL(/\/ads$/);
    await audit("12-ads-empty");
    await page.getByRole("button", { name: "Connect sandbox" }).click();
    // Only a project with a channel has the connections table.
    await page.getByRole("heading", { name: "Connections" }).waitFor();
    const adsDeadline = Date.now() + 30_000;
    while ((await page.locator(".chart canvas").count()) < 2 && Date.now() < adsDeadline) {
      await sleep(1000);
      await page.reload();
    }
    expect(await page.locator(".chart canvas").count()).toBe(2);
    expect(await page.getByRole("region", { name: "Totals per channel table" }).textContent()).toContain(
      "Google Ads",
    );
    await audit("13-ads");

    // An alert: the channel restates four days the next sync does not re-fetch (older than its
    // 3-day lookback) at 8× the spend, as a runaway budget would look; "Sync now" runs the
    // detectors, and the page lists the spend spike.
    const [maxDate] = await worker.d1(
      `SELECT max(date) AS until FROM ad_campaign_metrics WHERE project_id = '${projectId}' AND channel = 'google_ads'`,
    );
    const until = String(maxDate?.[0]?.until ?? "");
    expect(until).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const spiked = [3, 4, 5, 6].map(
      (n) => `'${new Date(Date.parse(`${until}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10)}'`,
    );
    await worker.d1(
      `UPDATE ad_campaign_metrics SET cost = cost * 8 WHERE project_id = '${projectId}' AND channel = 'google_ads' AND date IN (${spiked.join(",")})`,
    );
    await page.getByRole("button", { name: "Sync now" }).click();
    const alertDeadline = Date.now() + 30_000;
    const alertsTable = page.getByRole("region", { name: "Alerts table" });
    while (!(await alertsTable.count()) && Date.now() < alertDeadline) {
      await sleep(1000);
      await page.goto(`${origin}/app/p/${projectId}/ads`);
    }
    expect(await alertsTable.textContent()).toContain("spend spike");
    await audit("14-ads-alert");

    // Email: a key that may write, a template through the API, then contacts by CSV upload, a
    // campaign sent from the form with two subject lines, its page with the live counters, the outbox.
    await page.goto(`${origin}/app/p/${projectId}/settings/keys`);
    await page.getByLabel("Name", { exact: true }).fill("Email test");
    await page.getByRole("checkbox", { name: /^admin/ }).check();
    await page.getByRole("button", { name: "Create key" }).click();
    const writeKey = ((await page.locator("#new-key-secret").textContent()) ?? "").trim();
    const template = await fetch(`${origin}/v1/templates`, {
      method: "POST",
      headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Linen is back",
        subject: "{{name}}, linen is back",
        html: '<p>Hi {{name}},</p><p><a href="https://shop.example.com/linen">See the linen</a></p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>',
      }),
    });
    expect(template.status, await template.clone().text()).toBe(201);
    const templateId = ((await template.json()) as { template_id: string }).template_id;

    await page.goto(`${origin}/app/p/${projectId}/email/imports`);
    await page
      .locator("input[type=file][name=file]")
      .first()
      .setInputFiles({
        name: "shoppers.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(
          `email,name,plan\n${Array.from({ length: 30 }, (_, i) => `shopper${i}@example.com,Shopper ${i},${i % 3 ? "free" : "pro"}`).join("\n")}\n`,
        ),
      });
    await page.getByRole("button", { name: "Upload and import" }).first().click();
    await page.waitForURL(/\/email\/imports\/cim_/);
    const importDeadline = Date.now() + 30_000;
    const importState = () => page?.locator("main .badge").first().textContent();
    while ((await importState())?.trim() !== "done" && Date.now() < importDeadline) {
      await sleep(1000);
      await page.reload();
    }
    expect((await importState())?.trim()).toBe("done");
    expect(await page.locator("main").textContent()).toContain("30 of 30 rows");
    await audit("18-email-import");
    await page.goto(`${origin}/app/p/${projectId}/email/contacts`);
    expect(await page.locator("main").textContent()).toContain("shopper1@example.com");
    await audit("19-email-contacts");
    await page.goto(`${origin}/app/p/${projectId}/email/templates/${templateId}`);
    expect(await page.locator("iframe[sandbox]").count()).toBeGreaterThan(0);
    await audit("20-email-template");

    await page.goto(`${origin}/app/p/${projectId}/email/campaigns`);
    await page.getByLabel("Name", { exact: true }).fill("Linen launch");
    await page.getByLabel(/^From/).fill("Bunny Shop <news@shop.example.com>");
    await page.getByLabel(/^Subject lines to test/).fill("Linen shirts are back\nGood news: linen is back");
    await page.getByRole("radio", { name: "Send now" }).check();
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForURL(/\/email\/campaigns\/cmp_/);
    const sendDeadline = Date.now() + 30_000;
    while (!/\bsent\b/.test((await page.locator("main").textContent()) ?? "") && Date.now() < sendDeadline) {
      await sleep(1000);
      await page.reload();
    }
    expect(await page.locator("main").textContent()).toContain("Good news: linen is back");
    await audit("21-email-campaign");
    await page.goto(`${origin}/app/p/${projectId}/email/outbox`);
    const firstMail = page.locator("main a[href*='/email/outbox/']").first();
    await firstMail.waitFor();
    await audit("22-email-outbox");
    await firstMail.click();
    await page.waitForURL(/\/email\/outbox\/outbox_/);
    await audit("23-email-outbox-mail");
    await page.goto(`${origin}/app/p/${projectId}/settings/webhooks`);
    await audit("24-settings-webhooks");

    // Web experiments: one through the API, activated from its page, then a visitor's exposure
    // and signup through the SDK's routes show in the results table.
    const created = await fetch(`${origin}/v1/web-experiments`, {
      method: "POST",
      headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        key: "pricing-cta",
        hypothesis: "A bigger button gets more sign-ups",
        target_type: "page",
        target: "/pricing",
        segments: [
          { key: "control", name: "Today", traffic_percent: 50, description: "as it is" },
          { key: "big", name: "Big button", traffic_percent: 50, description: "twice the size" },
        ],
        primary_metric: "signup",
        preview_url: "https://staging.example.com/pricing",
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    await page.goto(`${origin}/app/p/${projectId}/web`);
    await audit("25-web-experiments");
    await page.getByRole("link", { name: "pricing-cta" }).click();
    await page.waitForURL(/\/web\/pricing-cta$/);
    await page.getByRole("button", { name: "Activate" }).click();
    await page.waitForURL(/\/web\/pricing-cta$/);
    const exposed = (await (
      await fetch(`${origin}/v1/web/exposures`, {
        method: "POST",
        headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
        body: JSON.stringify({ experiment: "pricing-cta", anonymous_id: "visitor-1" }),
      })
    ).json()) as { tracking_token: string };
    const signup = await fetch(`${origin}/v1/web/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        events: [{ tracking_token: exposed.tracking_token, event: "signup", timestamp: Date.now() }],
      }),
    });
    expect(signup.status).toBe(200);
    const resultsDeadline = Date.now() + 30_000;
    while (
      !(await page.locator("#results-title").count()) ||
      (await page.getByText("No exposures yet.").count())
    ) {
      if (Date.now() > resultsDeadline) break;
      await sleep(1000);
      await page.reload();
    }
    expect(await page.locator("main").textContent()).toContain("Finish and analyse");
    expect(await page.getByText("No exposures yet.").count()).toBe(0);
    await audit("26-web-experiment");

    // Home now has traffic; signing out ends the session.
    await page.getByRole("link", { name: "Home" }).click();
    await page.waitForURL(new RegExp(`/app/p/${projectId}$`));
    await audit("08-home");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/app\/sign-in$/);
    await page.goto(`${origin}/app/p/${projectId}`);
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");

    // A wrong password keeps the person on the form with the reason.
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain("invalid email or password");
    await audit("09-sign-in-error");

    expect(
      audited.filter((a) => a.violations.length > 0),
      JSON.stringify(audited, null, 2),
    ).toEqual([]);
    expect(problems).toEqual([]);
  }, 150_000);
});
